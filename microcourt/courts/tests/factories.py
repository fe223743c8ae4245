import factory

from microcourt.courts.models import Court, StaffAssignment
from microcourt.identity.tests.factories import UserFactory


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"浙{9000 + n}")
    name = factory.Sequence(lambda n: f"测试法院{n}")
    level = "basic"

    @classmethod
    def haishu(cls) -> Court:
        zj = cls(code="浙", name="浙江省高级人民法院", level="high", province="浙江省")
        nb = cls(
            code="浙02",
            name="宁波市中级人民法院",
            level="intermediate",
            parent=zj,
            province="浙江省",
            city="宁波市",
        )
        return cls(
            code="浙0203",
            name="宁波市海曙区人民法院",
            level="basic",
            parent=nb,
            province="浙江省",
            city="宁波市",
            district="海曙区",
        )


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    user = factory.SubFactory(UserFactory)
    court = factory.SubFactory(CourtFactory)
    role = "judge"
