import factory

from microcourt.identity.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")

    @classmethod
    def _create(cls, model_class, *args, phone=None, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(password=password, phone=phone, **kwargs)
