using Dkms.Core.Errors;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>add &lt;dir&gt;</c> / <c>add &lt;dir&gt;/dkms.conf</c>: reads the conf in place, copies the tree to
    /// <c>&lt;source_tree&gt;/m-v</c> and adds it. Returns the module it added and add's exit code.
    /// </summary>
    /// <remarks>Unlike dkms, an "already added" module is refused before anything is copied (§13.13).</remarks>
    /// <param name="existingIsFine">build/install from a path: an already added module is used as it is.</param>
    /// <param name="register">False for build/install: only copy into the source tree; the action adds it.</param>
    public async Task<(ModuleRef Module, int ExitCode)> AddSourceTreeAsync(string path, ActionOptions options, bool existingIsFine = false,
        bool register = true, CancellationToken ct = default)
    {
        var dir = PathGuard.RealPath(File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path);
        var conf = options.ConfFile ?? Path.Combine(dir, "dkms.conf");
        if (!File.Exists(conf))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.CopyFailed, M.NoDkmsConf(path));
        }

        var parsed = _ctx.Confs.RequireValid(await ReadConfAsync(null, RunningTarget, options with { ConfFile = conf }, strict: false, ct)
            .ConfigureAwait(false));

        var mv = new ModuleRef(parsed.PackageName, parsed.PackageVersion);
        RequireNotBroken(mv);
        if (IsAdded(mv.Module, mv.Version) && !AddedAutomaticallyFrom(mv, dir))
        {
            return existingIsFine ? (mv, 0) : throw AlreadyAdded(mv);
        }

        var dest = Tree.SourceDir(mv.Module, mv.Version);
        var same = PathGuard.RealPath(dest) == dir
                   || PathGuard.RealPath(Tree.SourceLink(mv.Module, mv.Version)) == dir
                   || PathGuard.RealPath(Tree.BuildDir(mv.Module, mv.Version)) == dir;
        if (!same)
        {
            await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
            {
                if (options.Force && Directory.Exists(dest))
                {
                    M.ForcingInstall(_out, mv);
                    Directory.Delete(dest, recursive: true);
                }

                Directory.CreateDirectory(Settings.SourceTree);
                // Owned by whoever copies (root), and writable by nobody else: a user who ran `sudo dkms add .` in a
                // checkout must not be able to edit the Makefile that root builds at the next kernel update.
                var failed = M.CopyFailed(dir, dest)[0];
                await _ctx.Log.RunToolAsync("cp", ["-fRT", "--preserve=mode,timestamps", dir, dest], failed, DkmsExitCode.CopyFailed, ct).ConfigureAwait(false);
                await _ctx.Log.RunToolAsync("chmod", ["-R", "go-w", dest], failed, DkmsExitCode.CopyFailed, ct).ConfigureAwait(false);
            }
        }

        if (!register)
        {
            return (mv, 0);
        }

        var code = await AddAsync(mv, options with { ConfFile = options.ConfFile is null ? null : conf }, ct).ConfigureAwait(false);
        return (mv, code);
    }

    /// <summary><c>add m/v</c>: links <c>&lt;dkms_tree&gt;/m/v/source</c> to <c>&lt;source_tree&gt;/m-v</c>, then POST_ADD.</summary>
    public async Task<int> AddAsync(ModuleRef mv, ActionOptions options, CancellationToken ct = default)
    {
        await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
        {
            return await AddWithLockHeldAsync(mv, options, ct).ConfigureAwait(false);
        }
    }

    /// <summary><see cref="AddAsync"/> with the module lock held.</summary>
    private async Task<int> AddWithLockHeldAsync(ModuleRef mv, ActionOptions options, CancellationToken ct)
    {
        var source = Tree.SourceDir(mv.Module, mv.Version);
        if (IsAdded(mv.Module, mv.Version))
        {
            if (!AddedAutomaticallyFrom(mv, PathGuard.RealPath(source)))
            {
                throw AlreadyAdded(mv);
            }

            // dkmsd added this very tree when it appeared: the add that was meant to happen succeeds, as it would
            // have without the daemon (POST_ADD already ran then).
            File.Delete(Tree.AutoAddedMarker(mv.Module, mv.Version));
            _out.Line(M.CreatingSymlink(Tree.SourceLink(mv.Module, mv.Version), source));
            return 0;
        }

        if (!Directory.Exists(source))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.BadArgument, M.SourceDirectoryMissing(source));
        }

        var confPath = options.ConfFile ?? Path.Combine(source, "dkms.conf");
        var conf = await ReadConfAsync(mv, RunningTarget, options, strict: true, ct, confPath)
            .ConfigureAwait(false);

        var link = Tree.SourceLink(mv.Module, mv.Version);
        _out.Line(M.CreatingSymlink(link, source));
        Directory.CreateDirectory(Tree.BuildDir(mv.Module, mv.Version));
        AtomicFiles.ReplaceSymlink(link, source);
        return await _ctx.Hooks.RunAsync("post_add", "POST_ADD", conf.PostAdd, link, ct, module: mv.Module).ConfigureAwait(false);
    }

    /// <summary>Marks m/v as added by dkmsd on its own (see <see cref="Tree.DkmsTree.AutoAddedMarker"/>).</summary>
    public void MarkAddedAutomatically(ModuleRef mv) =>
        File.WriteAllBytes(Tree.AutoAddedMarker(mv.Module, mv.Version), []);

    /// <summary>m/v was added by dkmsd on its own, from the source tree at <paramref name="realSource"/>.</summary>
    private bool AddedAutomaticallyFrom(ModuleRef mv, string realSource) =>
        File.Exists(Tree.AutoAddedMarker(mv.Module, mv.Version))
        && (PathGuard.RealPath(Tree.SourceLink(mv.Module, mv.Version)) == realSource
            || PathGuard.RealPath(Tree.SourceDir(mv.Module, mv.Version)) == realSource);

    private DkmsException AlreadyAdded(ModuleRef mv) => new(DkmsErrorKind.AlreadyExists, DkmsExitCode.AlreadyThere, M.AlreadyAdded(mv));
}
