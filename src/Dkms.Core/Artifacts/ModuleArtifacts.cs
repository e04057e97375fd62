using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Processes;

namespace Dkms.Core.Artifacts;

/// <summary>
/// Build once per content key: the key of a build, a finished build found in the local cache or the fleet's registry
/// (verified) instead of make, and a fresh build stored (and pushed, on a builder). The registry being down or wrong
/// is one line and a local build, never a failed job.
/// </summary>
internal sealed class ModuleArtifacts(DkmsSettings settings, DkmsOutput output, IProcessRunner processes, RegistryOutages? outages = null)
{
    private readonly RegistryOutages _outages = outages ?? RegistryOutages.Shared;
    private readonly KeyRecordBuilder _keys = new(settings, processes);
    private readonly LocalArtifactCache _cache = new(settings.ArtifactCache ?? Path.Combine(settings.DkmsTree, ".artifacts"));

    /// <summary>The local cache's directory.</summary>
    public string CacheRoot => _cache.Root;

    public Task<KeyRecord> KeyAsync(ModuleRef mv, KernelTarget t, KernelInfo kernel, DkmsConf conf, string source, CancellationToken ct) =>
        _keys.BuildAsync(mv, t, kernel, conf, source, ct);

    /// <summary>A finished build for <paramref name="record"/>: the local cache's, else the registry's (verified, then cached); null builds.</summary>
    public async Task<(ArtifactOrigin Origin, string Tar)?> FindAsync(KeyRecord record, CancellationToken ct)
    {
        var key = record.Key();
        if (_cache.Find(key) is { } local)
        {
            // The local cache is always on: by default a found build looks as a build does (dkms's words, line for
            // line); --verbose, status --json (origin) and dkmsd's jobs say where it came from.
            if (output.Verbose)
            {
                output.ErrLine($"Content key {key[..16]}: using this machine's earlier build (no make).");
            }

            return (new ArtifactOrigin(key, "cached", null), local);
        }

        if (settings.Artifacts is not { } registry)
        {
            return null;
        }

        if (_outages.Recent(registry.Registry) is { } outage)
        {
            output.ErrLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Content key {key[..16]}: the registry {registry.Registry} was unusable {outage.Ago.TotalSeconds:0} s ago ({outage.Reason}); building here without asking it again."));
            return null;
        }

        var tmp = _cache.TemporaryTar();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(registry.PullDeadline);
        try
        {
            using var store = new ArtifactStore(registry);
            var digest = await store.TryPullAsync(record, tmp, deadline.Token).ConfigureAwait(false);
            _outages.Answered(registry.Registry);
            if (digest is null)
            {
                output.ErrLine($"Content key {key[..16]}: not in {registry.Registry}; building here.");
                return null;
            }

            var stored = _cache.Store(key, record.ToCanonicalJson(), tmp);
            output.ErrLine($"Content key {key[..16]}: pulled {digest[..19]} from {registry.Registry}, signature verified (no make).");
            return (new ArtifactOrigin(key, "pulled", digest), stored);
        }
        catch (Exception e) when (Unusable(e, ct))
        {
            output.ErrLine($"Content key {key[..16]}: the registry {registry.Registry} is unusable ({Reason(e, registry)}); building here.");
            if (e is RegistryException { IsTransport: true } or OperationCanceledException)
            {
                _outages.Failed(registry.Registry, Reason(e, registry));
            }

            return null;
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Extracts a found build into <paramref name="build"/> as make would have left it; false (and a line) when the tar is unusable.</summary>
    public bool Restore(string tar, DkmsConf conf, string build, string makeLog)
    {
        try
        {
            ModuleTar.Extract(tar, conf, build, makeLog);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            output.ErrLine($"The cached build {tar} is unusable ({e.Message}); building here.");
            File.Delete(tar);
            return false;
        }
    }

    /// <summary>
    /// Keeps a fresh build (the unsigned, unstripped modules make left, and make.log) in the local cache and, on a builder,
    /// pushes it; a failed push is one line.
    /// </summary>
    public async Task<ArtifactOrigin> StoreAsync(KeyRecord record, DkmsConf conf, string build, string makeLog, CancellationToken ct)
    {
        var key = record.Key();
        var tmp = _cache.TemporaryTar();
        string stored;
        try
        {
            ModuleTar.Write(conf, build, makeLog, tmp);
            stored = _cache.Store(key, record.ToCanonicalJson(), tmp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(tmp);
            output.ErrLine($"Content key {key[..16]}: not kept in the local cache ({e.Message}).");
            return new ArtifactOrigin(key, "built", null);
        }

        if (settings.Artifacts is not { Role: ArtifactRole.Push } registry)
        {
            return new ArtifactOrigin(key, "built", null);
        }

        try
        {
            using var store = new ArtifactStore(registry);
            var digest = await store.PushAsync(record, stored, ct).ConfigureAwait(false);
            output.ErrLine($"Content key {key[..16]}: pushed {digest[..19]} to {registry.Registry}.");
            return new ArtifactOrigin(key, "built", digest);
        }
        catch (Exception e) when (Unusable(e, ct))
        {
            output.ErrLine($"Content key {key[..16]}: not pushed to {registry.Registry} ({Reason(e, registry)}).");
            return new ArtifactOrigin(key, "built", null);
        }
    }

    private static bool Unusable(Exception e, CancellationToken ct) =>
        e is RegistryException or IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException
            or System.Text.Json.JsonException or InvalidDataException or ArgumentException
        || (e is OperationCanceledException && !ct.IsCancellationRequested);

    private static string Reason(Exception e, ArtifactSettings registry) => e is OperationCanceledException
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no answer in time: artifact_timeout is {registry.Timeout.TotalSeconds:0.#} s a request")
        : e.Message;
}
