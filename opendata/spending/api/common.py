"""What the spending API's endpoints share: how a supplier or beneficiary is named."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Supplier


class SupplierRefSerializer(serializers.Serializer):
    uuid = serializers.SerializerMethodField(help_text="null for a private person, who is never named.")
    name = serializers.CharField(source="public_name", help_text="Withheld for a private person.")
    kind = serializers.ChoiceField(choices=Supplier.Kind.choices)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_uuid(self, supplier: Supplier) -> str | None:
        return None if supplier.is_private_person else str(supplier.uuid)
