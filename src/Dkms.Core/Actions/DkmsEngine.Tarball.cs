using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Tarballs;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private const string MainTree = "dkms_main_tree";
    private const string SourceTreeDir = "dkms_source_tree";
    private const string BinariesOnlyDir = "dkms_binaries_only";

    /// <summary>
    /// <c>mktarball m/v -k …|--all [--archive PATH] [--source-only|--binaries-only]</c>: an archive in dkms's
    /// layout (<c>dkms_main_tree/k/a/…</c> plus <c>dkms_source_tree/</c> or <c>dkms_binaries_only/</c>).
    /// </summary>
    /// <returns>The path of the archive written.</returns>
    public async Task<string> MakeTarballAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, string? archive, bool sourceOnly,
        bool binariesOnly, CancellationToken ct = default)
    {
        RequireAdded(mv);
        var (m, v) = (mv.Module, mv.Version);
        var temp = Directory.CreateTempSubdirectory("dkms.").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(temp, MainTree));
            var names = new List<string>();
            if (!sourceOnly)
            {
                foreach (var t in targets)
                {
                    var built = Tree.BuiltDir(m, v, t.Kernel, t.Arch);
                    if (!Directory.Exists(built))
                    {
                        throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.InstallFailed, M.NotBuiltForTarball(t));
                    }

                    _out.Line(M.MarkingModules(t));
                    names.Add($"kernel{t.Kernel}-{t.Arch}");
                    Directory.CreateDirectory(Path.Combine(temp, MainTree, t.Kernel));
                    await _ctx.Log.RunToolAsync("cp", ["-a", built, Path.Combine(temp, MainTree, t.Kernel, t.Arch)], "Copying the build failed", DkmsExitCode.InstallFailed, ct)
                        .ConfigureAwait(false);
                }
            }

            var source = Tree.SourceLink(m, v);
            if (binariesOnly)
            {
                M.BinariesOnlyTarball(_out);
                var dir = Path.Combine(temp, BinariesOnlyDir);
                Directory.CreateDirectory(dir);
                await File.WriteAllTextAsync(Path.Combine(dir, "PACKAGE_NAME"), m + "\n", ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(dir, "PACKAGE_VERSION"), v + "\n", ct).ConfigureAwait(false);
                File.Copy(Path.Combine(source, "dkms.conf"), Path.Combine(dir, "dkms.conf"));
            }
            else
            {
                M.MarkingSource(_out, source);
                Directory.CreateDirectory(Path.Combine(temp, SourceTreeDir));
                await _ctx.Log.RunToolAsync("cp", ["-a", source + "/.", Path.Combine(temp, SourceTreeDir) + "/"], "Copying the source failed", DkmsExitCode.InstallFailed, ct)
                    .ConfigureAwait(false);
            }

            // dkms counts `echo $list | wc -m`: the list and its newline.
            var list = sourceOnly ? "source-only" : string.Join('-', names);
            if (list.Length + 1 > 200)
            {
                list = "manykernels";
            }

            var name = $"{m}-{v}-{list}.dkms.tar.gz";
            var dest = Path.Combine(Tree.VersionDir(m, v), "tarball");
            var shown = dest + "/"; // dkms's $tarball_dest, spelt as dkms spells it
            if (archive is not null)
            {
                name = Path.GetFileName(archive);
                if (name.Length == 0)
                {
                    throw new DkmsException(DkmsErrorKind.InvalidArgument, DkmsExitCode.BadArgument, M.ArchiveIsDirectory(archive));
                }

                if (archive.Contains('/', StringComparison.Ordinal))
                {
                    shown = archive[..archive.LastIndexOf('/')];
                    dest = Path.GetDirectoryName(Path.GetFullPath(archive))!;
                }
            }

            M.TarballLocation(_out, shown, name);
            try
            {
                Directory.CreateDirectory(dest);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DkmsException(DkmsErrorKind.PermissionDenied, DkmsExitCode.CopyFailed, M.NoWritePermission(shown));
            }

            // Written under a temporary name (same extension, so tar picks the same compression), then renamed.
            var partial = Path.Combine(dest, $".partial-{Environment.ProcessId}-{name}");
            try
            {
                await _ctx.Log.RunToolAsync("tar", ["-C", temp, "-caf", partial, "."], "tar", DkmsExitCode.InstallFailed, ct).ConfigureAwait(false);
            }
            catch (DkmsException e)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.InstallFailed, M.TarballFailed(e.Message));
            }

            AtomicFiles.Commit(partial, Path.Combine(dest, name));
            return Path.Combine(dest, name);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// <c>ldtarball FILE</c> (and <c>add FILE</c>): loads an archive made by mktarball (dkms's or ours), or a plain
    /// source tarball holding a dkms.conf. Every entry is checked before anything is extracted.
    /// </summary>
    public async Task<int> LoadTarballAsync(string archive, ActionOptions options, CancellationToken ct = default)
    {
        if (!File.Exists(archive))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.BadArgument, M.ArchiveMissing(archive));
        }

        var temp = Directory.CreateTempSubdirectory("dkms.").FullName;
        try
        {
            // Check and extract one private copy, so the file cannot change between the two.
            var copy = Path.Combine(temp, ".archive" + ArchiveExtension(archive));
            File.Copy(archive, copy);
            await ArchiveValidator.ValidateAsync(copy, shownAs: archive, ct).ConfigureAwait(false);
            var tree = Path.Combine(temp, "tree");
            Directory.CreateDirectory(tree);
            await _ctx.Log.RunToolAsync("tar", ["-xaf", copy, "-C", tree, "--no-same-owner"], $"Extracting {archive} failed", DkmsExitCode.BadBuildResult, ct)
                .ConfigureAwait(false);
            temp = tree;
            if (!Directory.Exists(Path.Combine(temp, MainTree)))
            {
                var conf = FileWalker.Files(temp, n => n == "dkms.conf").OrderBy(p => p.Count(c => c == '/')).ThenBy(p => p, StringComparer.Ordinal)
                    .FirstOrDefault() ?? throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.NotInTree, M.NoDkmsConfInArchive());
                return (await AddSourceTreeAsync(Path.GetDirectoryName(conf)!, options, ct: ct).ConfigureAwait(false)).ExitCode;
            }

            return await LoadDkmsTarballAsync(archive, temp, options, ct).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(Path.GetFileName(temp) == "tree" ? Path.GetDirectoryName(temp)! : temp, recursive: true);
        }
    }

    private static string ArchiveExtension(string archive)
    {
        var name = Path.GetFileName(archive);
        var dot = name.IndexOf(".tar", StringComparison.Ordinal);
        return dot >= 0 ? name[dot..] : Path.GetExtension(name);
    }

    private async Task<int> LoadDkmsTarballAsync(string archive, string temp, ActionOptions options, CancellationToken ct)
    {
        string? loc = null;
        DkmsConf? conf = null;
        foreach (var candidate in new[] { SourceTreeDir, BinariesOnlyDir })
        {
            var path = Path.Combine(temp, candidate, "dkms.conf");
            if (!File.Exists(path))
            {
                continue;
            }

            var read = await ReadConfAsync(null, RunningTarget, options, strict: false, ct, path)
                .ConfigureAwait(false);
            if (NameValidator.Problem(read.PackageName) is not null || NameValidator.Problem(read.PackageVersion) is not null)
            {
                M.MalformedConfInArchive(_out);
                continue;
            }

            (loc, conf) = (candidate, read);
            break;
        }

        if (loc is null || conf is null)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadBuildResult, M.NotADkmsTarball(archive));
        }

        var mv = new ModuleRef(conf.PackageName, conf.PackageVersion);
        if (IsAdded(mv.Module, mv.Version) && !options.Force)
        {
            throw new DkmsException(DkmsErrorKind.AlreadyExists, DkmsExitCode.TarballAlreadyAdded, M.TarballAlreadyAdded(mv));
        }

        M.LoadingTarball(_out, mv);
        if (loc == SourceTreeDir)
        {
            await AddSourceTreeAsync(Path.Combine(temp, SourceTreeDir), options, existingIsFine: true, register: false, ct).ConfigureAwait(false);
        }

        await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
        {
            var sourceDir = Tree.SourceDir(mv.Module, mv.Version);
            if (loc == BinariesOnlyDir && !Directory.Exists(sourceDir) && !IsAdded(mv.Module, mv.Version))
            {
                var source = Tree.SourceLink(mv.Module, mv.Version);
                _out.Line(M.CreatingDirectory(source));
                Directory.CreateDirectory(source);
                _out.Line(M.CopyingConf(source));
                File.Copy(Path.Combine(temp, BinariesOnlyDir, "dkms.conf"), Path.Combine(source, "dkms.conf"), overwrite: true);
            }

            await LoadBuildsAsync(mv, Path.Combine(temp, MainTree), options, ct).ConfigureAwait(false);
            if (Directory.Exists(sourceDir) && !IsAdded(mv.Module, mv.Version))
            {
                return await AddWithLockHeldAsync(mv, options, ct).ConfigureAwait(false);
            }
        }

        return 0; // dkms exits 1 after a binaries-only load (§13.4)
    }

    /// <summary>Copies each <c>dkms_main_tree/k/a</c> to <c>m/v/k/a</c> through a staging dir and one rename.</summary>
    private async Task LoadBuildsAsync(ModuleRef mv, string mainTree, ActionOptions options, CancellationToken ct)
    {
        foreach (var kdir in Directory.EnumerateDirectories(mainTree).Order(StringComparer.Ordinal))
        {
            foreach (var adir in Directory.EnumerateDirectories(kdir).Order(StringComparer.Ordinal))
            {
                var (k, a) = (Path.GetFileName(kdir), Path.GetFileName(adir));
                if (NameValidator.Problem(k) is not null || NameValidator.Problem(a) is not null)
                {
                    throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadBuildResult, M.BadKernelInArchive(NameValidator.Printable(k), NameValidator.Printable(a)));
                }

                var target = Tree.BuiltDir(mv.Module, mv.Version, k, a);
                if (Directory.Exists(target) && !options.Force)
                {
                    _out.Warn(M.BuildAlreadyThere(target));
                    continue;
                }

                _out.Line(M.LoadingBuild(target));
                var kernelDir = Tree.KernelDir(mv.Module, mv.Version, k);
                Directory.CreateDirectory(kernelDir);
                var staging = Path.Combine(kernelDir, $".tmp_{a}_{Guid.NewGuid():N}"[..(a.Length + 12)]);
                await _ctx.Log.RunToolAsync("cp", ["-a", adir, staging], $"Loading {target} failed", DkmsExitCode.BadBuildResult, ct).ConfigureAwait(false);
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }

                AtomicFiles.PublishDirectory(staging, target);
            }
        }
    }
}
