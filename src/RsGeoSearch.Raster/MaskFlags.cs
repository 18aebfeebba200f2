namespace RsGeoSearch.Raster;

/// <summary>How GDAL derives a band's validity mask (GMF_* flags).</summary>
[Flags]
public enum MaskFlags
{
    None = 0,
    /// <summary>No mask: every pixel is valid.</summary>
    AllValid = 0x01,
    /// <summary>One mask shared by all bands.</summary>
    PerDataset = 0x02,
    /// <summary>The mask comes from an alpha band.</summary>
    Alpha = 0x04,
    /// <summary>The mask comes from the band's nodata value.</summary>
    Nodata = 0x08,
}
