from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import Certificate, CrlIssue, SignatureRequest, SignedDocument, TimestampToken


class ReadOnly(CourtScopedAdmin):
    """Records of signatures, keys and time-stamps are changed by actions only, and seen by
    platform operators only (the PKI has no court)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = [
        "subject_cn",
        "purpose",
        "court_code",
        "serial",
        "not_after",
        "active",
        "revoked_at",
    ]
    list_filter = ["purpose", "active"]
    search_fields = ["serial", "court_code", "subject_cn"]
    exclude = ["key_file"]


@admin.register(TimestampToken)
class TimestampTokenAdmin(ReadOnly):
    list_display = ["serial", "gen_time", "hash_algorithm", "message_imprint"]
    search_fields = ["message_imprint"]


@admin.register(CrlIssue)
class CrlIssueAdmin(ReadOnly):
    list_display = ["number", "this_update", "next_update", "revoked_count"]
    exclude = ["der"]


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnly):
    list_display = ["created_at", "kind", "signer_name", "title", "case_id", "output_sha256"]
    list_filter = ["kind"]
    search_fields = ["output_sha256", "input_sha256", "title"]


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnly):
    list_display = ["created_at", "title", "signer", "status", "case_id"]
    list_filter = ["status"]
