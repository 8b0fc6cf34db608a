"""The parameters of a re-cluster job started through the API (registered with core's job kinds)."""
from rest_framework import serializers

# segmentation.ml.ALGORITHMS, spelled out so loading the URLconf does not import scikit-learn (a test keeps them equal)
RECLUSTER_ALGORITHMS = ("kmeans", "gmm", "agglomerative", "dbscan")


class ReclusterParamsSerializer(serializers.Serializer):
    algorithm = serializers.ChoiceField(choices=RECLUSTER_ALGORITHMS, default="kmeans")
    k = serializers.IntegerField(min_value=2, max_value=20, allow_null=True, default=None,
                                 help_text="Number of segments; empty picks the best k by the quality metrics")
    features = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, allow_null=True, min_length=1, max_length=100,
        help_text="Cluster on these instead of the default feature set: features, customer fields or custom "
                  "attributes (key or the file's header), as `recluster --features`; an unknown name is refused "
                  "with the list of valid ones",
    )
