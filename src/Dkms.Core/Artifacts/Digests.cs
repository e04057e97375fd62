using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Dkms.Core.Artifacts;

/// <summary>OCI digests (<c>sha256:&lt;64 hex&gt;</c>) and the tags dkmsd derives from them.</summary>
internal static partial class Digests
{
    public static string Of(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static bool IsValid(string? digest) => digest is not null && Sha256().IsMatch(digest);

    /// <summary>The OCI 1.1 referrers fallback tag of a manifest digest: <c>sha256-&lt;hex&gt;</c>.</summary>
    public static string ReferrersTag(string digest) => digest.Replace(':', '-');

    /// <summary>The tag an artifact is looked up by: <c>k1-&lt;key&gt;</c> (never <c>sha256-</c>, the referrers' namespace).</summary>
    public static string KeyTag(string key) => "k1-" + key;

    /// <summary>The tag people read (<c>module-version-kernel-arch</c>), made tag-safe; never used for lookups.</summary>
    public static string HumanTag(string module, string version, string kernel, string arch)
    {
        var tag = TagUnsafe().Replace($"{module}-{version}-{kernel}-{arch}", "_");
        if (!char.IsAsciiLetterOrDigit(tag[0]) && tag[0] != '_')
        {
            tag = "_" + tag;
        }

        return tag.Length > 128 ? tag[..128] : tag;
    }

    /// <summary>The repository of a module: the registry path plus the module name, lower-cased and made name-safe.</summary>
    public static string Repository(string prefix, string module)
    {
        var name = NameUnsafe().Replace(module.ToLowerInvariant(), "-").Trim('-', '.', '_');
        return (prefix.Trim('/') is { Length: > 0 } p ? p + "/" : string.Empty) + (name.Length > 0 ? name : "module");
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex TagUnsafe();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NameUnsafe();
}
