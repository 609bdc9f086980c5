"""One search over every public record, with facets and Arabic/French analysis."""
