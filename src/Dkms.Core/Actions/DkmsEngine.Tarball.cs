using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Tarballs;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private const string MainTree = TarballMaker.MainTree;
    private const string SourceTreeDir = TarballMaker.SourceTreeDir;
    private const string BinariesOnlyDir = TarballMaker.BinariesOnlyDir;

    /// <summary>
    /// <c>mktarball m/v -k …|--all [--archive PATH] [--source-only|--binaries-only]</c>: an archive in dkms's
    /// layout (<c>dkms_main_tree/k/a/…</c> plus <c>dkms_source_tree/</c> or <c>dkms_binaries_only/</c>).
    /// </summary>
    /// <returns>The path of the archive written.</returns>
    public async Task<string> MakeTarballAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, string? archive, bool sourceOnly,
        bool binariesOnly, CancellationToken ct = default)
    {
        RequireAdded(mv);
        return await _ctx.Tarballs.MakeAsync(mv, targets, archive, sourceOnly, binariesOnly, ct).ConfigureAwait(false);
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
        // Package content only: the sandboxed build user evaluates the dkms.conf inside (a 0700 directory would hide it).
        File.SetUnixFileMode(temp, (UnixFileMode)Convert.ToInt32("755", 8));
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
            OpenDirectories(tree);
            if (!Directory.Exists(Path.Combine(tree, MainTree)))
            {
                var conf = FileWalker.Files(tree, n => n == "dkms.conf").OrderBy(p => p.Count(c => c == '/')).ThenBy(p => p, StringComparer.Ordinal)
                    .FirstOrDefault() ?? throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.NotInTree, M.NoDkmsConfInArchive());
                return (await AddSourceTreeAsync(Path.GetDirectoryName(conf)!, options, ct: ct).ConfigureAwait(false)).ExitCode;
            }

            return await LoadDkmsTarballAsync(archive, tree, options, ct).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static string ArchiveExtension(string archive)
    {
        var name = Path.GetFileName(archive);
        var dot = name.IndexOf(".tar", StringComparison.Ordinal);
        return dot >= 0 ? name[dot..] : Path.GetExtension(name);
    }

    private async Task<int> LoadDkmsTarballAsync(string archive, string extracted, ActionOptions options, CancellationToken ct)
    {
        string? loc = null;
        DkmsConf? conf = null;
        foreach (var candidate in new[] { SourceTreeDir, BinariesOnlyDir })
        {
            var path = Path.Combine(extracted, candidate, "dkms.conf");
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
            await AddSourceTreeAsync(Path.Combine(extracted, SourceTreeDir), options, existingIsFine: true, register: false, ct).ConfigureAwait(false);
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
                File.Copy(Path.Combine(extracted, BinariesOnlyDir, "dkms.conf"), Path.Combine(source, "dkms.conf"), overwrite: true);
            }

            await LoadBuildsAsync(mv, Path.Combine(extracted, MainTree), options, ct).ConfigureAwait(false);
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

    /// <summary>
    /// Lets others through and read the extracted directories: an archive made in a 0700 mktemp directory (dkms's, and
    /// ours) carries that mode on its "./", and the sandboxed build user must read the dkms.conf inside.
    /// </summary>
    private static void OpenDirectories(string root)
    {
        const UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(root, File.GetUnixFileMode(root) | open);
        foreach (var dir in new DirectoryInfo(root).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            dir.UnixFileMode |= open;
        }
    }
}
