using Dkms.Core.Errors;

namespace Dkms.Core.Compat;

/// <summary>
/// Chooses the profile once: the environment's <c>DKMS_COMPAT</c>, else framework.conf's <c>dkms_compat</c>, else
/// the distribution in os-release (Debian up to 12 and Ubuntu up to 24.04: 3.0; Debian 13: 3.2; anything else: 3.4).
/// </summary>
public static class DkmsProfileSelector
{
    /// <summary>The environment variable that names a profile for one process (it wins over framework.conf).</summary>
    public const string EnvironmentVariable = "DKMS_COMPAT";

    /// <summary>framework.conf's key (dkmsd's own).</summary>
    public const string FrameworkKey = "dkms_compat";

    /// <summary>The profile and why it was chosen (for <c>dkmsctl --version</c> and GetInfo).</summary>
    public static ProfileChoice Choose(string? environmentValue, string? frameworkValue, string osReleaseRoot = "/")
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return new ProfileChoice(Named(environmentValue, EnvironmentVariable), EnvironmentVariable);
        }

        if (!string.IsNullOrWhiteSpace(frameworkValue))
        {
            return new ProfileChoice(Named(frameworkValue, FrameworkKey), FrameworkKey);
        }

        return new ProfileChoice(ForOsRelease(OsRelease.Read(osReleaseRoot)), "os-release");
    }

    /// <summary>The default for a distribution (null: no os-release file, which counts as "others").</summary>
    public static DkmsProfile ForOsRelease(OsRelease? release)
    {
        if (release is null)
        {
            return DkmsProfile.V34;
        }

        var major = release.VersionId is { } v && Version.TryParse(v.Contains('.', StringComparison.Ordinal) ? v : v + ".0", out var parsed)
            ? parsed
            : null;
        return release.Id switch
        {
            // Debian testing/sid has no VERSION_ID: it ships what is newest.
            "debian" when major is not null && major.Major <= 12 => DkmsProfile.V30,
            "debian" when major is not null && major.Major == 13 => DkmsProfile.V32,
            "ubuntu" when major is not null && major <= new Version(24, 4) => DkmsProfile.V30,
            _ => DkmsProfile.V34,
        };
    }

    private static DkmsProfile Named(string value, string where) =>
        DkmsProfile.Find(value) ?? throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.Failure,
            $"{where}='{value}' names no dkms profile; use 3.0, 3.2 or 3.4.");
}
