namespace Dkms.Package.Tests.Providers;

/// <summary>Which package provides <c>dkms</c> in the container.</summary>
public enum Provider
{
    /// <summary>Debian's own dkms 3.0.10, installed from the mirror.</summary>
    Dkms,

    /// <summary>Our package, artifacts/dkmsd_*_amd64.deb (Provides/Conflicts/Replaces: dkms).</summary>
    Dkmsd,
}
