namespace RsGeoSearch.Store;

/// <summary>
/// The result of <see cref="CatalogStore.BeginSceneAsync"/>: the scene's id (new or found by its sha256),
/// whether this call created it, whether the model already completed it (then skip it), and how many of
/// its chips already carry an embedding of the model (a resumed ingest).
/// </summary>
public sealed record SceneRegistration(long SceneId, bool Created, bool Completed, long StoredChips);
