using System.Collections.Concurrent;

namespace Dkms.Core.Artifacts;

/// <summary>
/// Registries that just failed as a whole (unreachable, silent, 5xx after the retries, an untrusted certificate, refused
/// credentials): for <see cref="Window"/> after that, lookups in this process do not ask them again, so a batch of builds
/// (dkmsd's jobs, an autoinstall, a preflight) pays one timeout rather than one per module. A fault of one artifact (a bad
/// signature, a swapped blob) is not remembered: the next key may be fine. Pushes always try.
/// </summary>
internal sealed class RegistryOutages(TimeProvider time)
{
    /// <summary>How long a failed registry is left alone.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, string Reason)> _failed = new(StringComparer.Ordinal);

    /// <summary>This process's memory (dkmsd's for its lifetime, dkmsctl's for one command).</summary>
    public static RegistryOutages Shared { get; } = new(TimeProvider.System);

    /// <summary>How long ago <paramref name="registry"/> failed and why, when that is less than <see cref="Window"/> ago.</summary>
    public (TimeSpan Ago, string Reason)? Recent(Uri registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!_failed.TryGetValue(registry.AbsoluteUri, out var f))
        {
            return null;
        }

        var ago = time.GetUtcNow() - f.At;
        if (ago < Window)
        {
            return (ago, f.Reason);
        }

        _failed.TryRemove(KeyValuePair.Create(registry.AbsoluteUri, f));
        return null;
    }

    public void Failed(Uri registry, string reason) => _failed[registry.AbsoluteUri] = (time.GetUtcNow(), reason);

    /// <summary>The registry answered (an artifact, or a clean 404): it is usable again.</summary>
    public void Answered(Uri registry) => _failed.TryRemove(registry.AbsoluteUri, out _);
}
