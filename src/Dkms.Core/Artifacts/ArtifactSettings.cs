using Dkms.Core.Errors;

namespace Dkms.Core.Artifacts;

/// <summary>Whether this host only pulls artifacts or also builds and pushes them (<c>artifact_role</c>).</summary>
public enum ArtifactRole
{
    Pull,
    Push,
}

/// <summary>
/// framework.conf's artifact keys: the registry a fleet shares, this host's role, the builder's public key every
/// pull is verified with, the builder's private key (builders only), a docker config.json and an extra CA.
/// </summary>
public sealed record ArtifactSettings
{
    /// <summary>How long one registry request (headers and body) may take by default (<c>artifact_timeout</c>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The registry and repository prefix, e.g. <c>http://127.0.0.1:5000/dkms</c>.</summary>
    public required Uri Registry { get; init; }

    public ArtifactRole Role { get; init; } = ArtifactRole.Pull;

    /// <summary>PEM public key (PKIX) of the builder: nothing pulled is installed unless it verifies.</summary>
    public required string VerifyKey { get; init; }

    /// <summary>PEM private key (PKCS#8 or SEC1, P-256) the builder signs manifests with; builders only.</summary>
    public string? SigningKey { get; init; }

    /// <summary>A docker config.json whose <c>auths</c> entry for the registry host gives the credentials.</summary>
    public string? Auth { get; init; }

    /// <summary>A PEM bundle of CA certificates trusted for an https registry instead of the system's.</summary>
    public string? CaBundle { get; init; }

    /// <summary>How long one registry request (headers and body, retries included) may take (<c>artifact_timeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>How long a whole lookup and pull (manifest, signatures, key record, layer) may take: then the host builds.</summary>
    public TimeSpan PullDeadline => Timeout * 4;

    /// <summary>
    /// Builds the settings from the framework.conf values; null when <c>artifact_registry</c> is unset.
    /// Anything inconsistent fails now (exit 1) rather than at the first pull.
    /// </summary>
    public static ArtifactSettings? From(string? registry, string? role, string? verifyKey, string? signingKey, string? auth, string? ca,
        string? timeout)
    {
        if (string.IsNullOrWhiteSpace(registry))
        {
            return null;
        }

        if (!Uri.TryCreate(registry.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Bad($"artifact_registry '{registry}' is not an http(s) URL such as http://127.0.0.1:5000/dkms.");
        }

        var r = role?.Trim() switch
        {
            null or "" or "pull" => ArtifactRole.Pull,
            "push" => ArtifactRole.Push,
            _ => throw Bad($"artifact_role '{role}' is neither pull nor push."),
        };
        if (string.IsNullOrWhiteSpace(verifyKey) || !Path.IsPathRooted(verifyKey))
        {
            throw Bad("artifact_registry is set but artifact_verify_key (the builder's public key, an absolute path) is not: nothing would be verifiable.");
        }

        if (r == ArtifactRole.Push && (string.IsNullOrWhiteSpace(signingKey) || !Path.IsPathRooted(signingKey)))
        {
            throw Bad("artifact_role=push needs artifact_signing_key (an absolute path to the builder's PEM private key).");
        }

        var t = DefaultTimeout;
        if (!string.IsNullOrWhiteSpace(timeout))
        {
            if (!double.TryParse(timeout, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s)
                || s <= 0 || s > 3600)
            {
                throw Bad($"artifact_timeout '{timeout}' is not a number of seconds between 0 and 3600.");
            }

            t = TimeSpan.FromSeconds(s);
        }

        return new ArtifactSettings
        {
            Registry = uri,
            Role = r,
            VerifyKey = verifyKey,
            SigningKey = string.IsNullOrWhiteSpace(signingKey) ? null : signingKey,
            Auth = string.IsNullOrWhiteSpace(auth) ? null : auth,
            CaBundle = string.IsNullOrWhiteSpace(ca) ? null : ca,
            Timeout = t,
        };
    }

    private static DkmsException Bad(string message) => new(DkmsErrorKind.BadConfiguration, DkmsExitCode.Failure, message);
}
