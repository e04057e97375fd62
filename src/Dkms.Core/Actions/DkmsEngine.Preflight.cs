using Dkms.Core.Artifacts;
using Dkms.Core.Errors;
using Dkms.Core.Output;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>preflight -k K</c>: for a kernel not installed yet (or headers at a path, <c>--kernelsourcedir</c>), what autoinstall
    /// would meet for every AUTOINSTALL module: installed, cached (this machine's cache or the fleet's registry, verified and
    /// pulled now), buildable (a dry build in a scratch tree, through the build sandbox; its result is kept in the cache) or
    /// failing, with the reason. Nothing is installed and the tree's state does not change.
    /// </summary>
    public async Task<IReadOnlyList<PreflightEntry>> PreflightAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(t);
        var plan = await PlanAutoinstallAsync(t, options, ct).ConfigureAwait(false);
        var result = new List<PreflightEntry>();
        foreach (var m in plan.AlreadyInstalled)
        {
            result.Add(new PreflightEntry(m, string.Empty, PreflightVerdict.Installed, null, string.Empty));
        }

        foreach (var (mv, _) in plan.Queue)
        {
            result.Add(await PreflightOneAsync(mv, t, options, ct).ConfigureAwait(false));
        }

        return result;
    }

    private async Task<PreflightEntry> PreflightOneAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        string? key = null;
        try
        {
            var kernel = Kernel(t, options);
            var conf = await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: true, ct).ConfigureAwait(false);
            if (conf.IsExcluded)
            {
                return new PreflightEntry(mv.Module, mv.Version, PreflightVerdict.Excluded, null, conf.ExcludedBecause ?? string.Empty);
            }

            RequireHeaders(kernel);
            var record = await _ctx.Artifacts.KeyAsync(mv, t, kernel, conf, Tree.SourceLink(mv.Module, mv.Version), ct).ConfigureAwait(false);
            key = record.Key();
            if (await _ctx.Artifacts.FindAsync(record, ct).ConfigureAwait(false) is { } found)
            {
                return new PreflightEntry(mv.Module, mv.Version, PreflightVerdict.Cached, key, found.Origin.Origin == "pulled" ? "pulled from the registry" : "this machine");
            }

            await DryBuildAsync(mv, t, options, ct).ConfigureAwait(false);
            return new PreflightEntry(mv.Module, mv.Version, PreflightVerdict.Buildable, key, "dry build succeeded");
        }
        catch (DkmsException e)
        {
            return new PreflightEntry(mv.Module, mv.Version, PreflightVerdict.Failing, key, string.Join(' ', e.Lines.Where(l => l.Length > 0).Take(2)).Trim());
        }
    }

    /// <summary>
    /// Builds <paramref name="mv"/> in a scratch dkms tree (under the real one, removed after) that shares the real artifact
    /// cache, so a later install finds the result; the real tree is not touched.
    /// </summary>
    private async Task DryBuildAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var scratch = Path.Combine(Tree.Root, ".preflight-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));
        try
        {
            var settings = Settings with { DkmsTree = scratch, ArtifactCache = _ctx.Artifacts.CacheRoot };
            Directory.CreateDirectory(Path.Combine(scratch, mv.Module, mv.Version));
            // To the source itself, not through the real tree's link: the sandbox shows the scratch tree, not the real one.
            var source = Tree.SourceLink(mv.Module, mv.Version);
            Directory.CreateSymbolicLink(Path.Combine(scratch, mv.Module, mv.Version, "source"),
                new DirectoryInfo(source).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? source);
            using var errors = new StringWriter();
            var engine = new DkmsEngine(new EngineContext(settings, new DkmsOutput(TextWriter.Null, errors)));
            var code = await engine.BuildAsync(mv, [t], options with { Force = false }, ct).ConfigureAwait(false);
            if (code != 0)
            {
                var why = errors.ToString().Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? string.Empty;
                throw new DkmsException(DkmsErrorKind.ExternalFailure, code, $"the dry build failed (exit {code}): {why}");
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }
}
