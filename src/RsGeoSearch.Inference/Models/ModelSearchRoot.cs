namespace RsGeoSearch.Inference.Models;

/// <summary>One folder of the models search path and where it came from (RSGEO_MODELS_PATH, user, project).</summary>
public sealed record ModelSearchRoot(string Directory, string Source);
