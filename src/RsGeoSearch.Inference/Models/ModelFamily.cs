namespace RsGeoSearch.Inference.Models;

/// <summary>Model families: how images are preprocessed and how similarities become probabilities.</summary>
public enum ModelFamily
{
    /// <summary>OpenAI CLIP, OpenCLIP, RemoteCLIP, GeoRSCLIP: shortest-side resize + centre crop, softmax over labels.</summary>
    Clip,
    /// <summary>SigLIP, Git-RSCLIP: squash to a square, sigmoid with logit scale and bias (absolute probabilities).</summary>
    Siglip,
    /// <summary>The bundled rsgeo-mini dual encoder: squash, softmax.</summary>
    Rsgeo,
}
