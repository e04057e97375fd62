using Dkms.Core.Output;
using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary><c>install m/v -k …</c>: adds and builds first when needed; each kernel on its own.</summary>
    public Task<int> InstallAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default) =>
        ForEachKernelLockedAsync(mv, targets, t => InstallLockedAsync(mv, t, options, ct), ct);

    /// <summary>One kernel of <c>install</c>, with the module lock held.</summary>
    internal async Task<int> InstallLockedAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        if (IsInstalled(m, v, t.Kernel, t.Arch))
        {
            if (!options.Force)
            {
                _out.Line(M.AlreadyInstalled(mv, t));
                return 0;
            }

            await UninstallLockedAsync(mv, t, options, ct).ConfigureAwait(false);
        }

        if (!IsBuiltDir(m, v, t.Kernel, t.Arch))
        {
            await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        }

        Phase("install");
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        if (!Directory.Exists(kernelDir))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, 6, M.KernelDirectoryMissing(kernelDir));
        }

        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        var moduleDir = Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        var built = new List<(ModuleSpec Spec, string File)>();
        foreach (var spec in conf.Modules)
        {
            var file = BuiltFile(moduleDir, spec.DestName)
                       ?? throw new DkmsException(DkmsErrorKind.NotFound, 6, M.BuiltFileMissing(spec.DestName, moduleDir));
            built.Add((spec, file));
        }

        // Check every module first, then write: a refused module never leaves a half-done install. What the checks
        // say is printed afterwards, module by module, where dkms prints it.
        var checks = new List<(ModuleSpec Spec, string File, string Target, bool Install, Action<DkmsOutput> Report)>();
        foreach (var (spec, file) in built)
        {
            var target = PathGuard.Inside(kernelDir, spec.DestLocation.TrimStart('/') + "/" + Path.GetFileName(file), "DEST_MODULE_LOCATION");
            var (install, report) = await VersionSanityAsync(t, conf, spec, file, options, ct).ConfigureAwait(false);
            checks.Add((spec, file, target, install, report));
        }

        // Debian's 3.0.10 counts a module refused by the version check as installed (so a kernel that ships a
        // newer copy does not fail the package upgrade); upstream aborts with exit 6. Status and exit codes follow 3.0.10.
        var source = Tree.SourceLink(m, v);
        var preInstallDone = false;
        foreach (var (spec, file, target, install, report) in checks)
        {
            M.ModuleFile(_out, Path.GetFileName(file));
            _out.Line(M.SanityCheck);
            report(_out);
            if (!install)
            {
                continue;
            }

            if (!preInstallDone)
            {
                // Before the first file is written, after its checks (where dkms runs it).
                preInstallDone = true;
                var pre = await RunHookAsync("pre_install", "PRE_INSTALL", conf.PreInstall, source, ct).ConfigureAwait(false);
                if (pre != 0 && !options.Force)
                {
                    throw new DkmsException(DkmsErrorKind.ExternalFailure, 101, M.PreInstallFailed());
                }
            }

            _out.Line(M.OriginalModule);
            ArchiveOriginal(mv, t, spec, target);
            M.Installing(_out, Path.GetDirectoryName(target)!, target);
            InstallFile(file, target);
        }

        ReplaceSymlink(Tree.InstalledLink(m, t.Kernel, t.Arch), Path.Combine(v, t.Kernel, t.Arch));
        await RunHookAsync("post_install", "POST_INSTALL", conf.PostInstall, source, ct).ConfigureAwait(false);
        try
        {
            await DepmodAsync(t.Kernel, options, ct).ConfigureAwait(false);
        }
        catch (DkmsException)
        {
            await UninstallLockedAsync(mv, t, options with { NoDepmod = true }, ct).ConfigureAwait(false);
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, M.DepmodProblems());
        }

        await ModprobeOnInstallAsync(t, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The built file of <paramref name="name"/> in a <c>module/</c> dir, compressed or not; null when absent.</summary>
    internal static string? BuiltFile(string moduleDir, string name)
    {
        foreach (var ext in new[] { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" })
        {
            var path = Path.Combine(moduleDir, name + ext);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// Copies a module into the install tree through a temporary file in the target directory,
    /// flushed and renamed over the old one: readers see the old module or the new, never a part.
    /// </summary>
    private void InstallFile(string source, string target)
    {
        var dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(target)}.dkms-tmp-{Environment.ProcessId}");
        try
        {
            if (Settings.SymlinkModules)
            {
                if (File.Exists(tmp) || new FileInfo(tmp).LinkTarget is not null)
                {
                    File.Delete(tmp);
                }

                File.CreateSymbolicLink(tmp, source);
            }
            else
            {
                using (var input = File.OpenRead(source))
                using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    input.CopyTo(output);
                    output.Flush(flushToDisk: true);
                }

                File.SetUnixFileMode(tmp, (UnixFileMode)Convert.ToInt32("644", 8));
            }

            Libc.RenameOrThrow(tmp, target);
            Libc.FsyncDirectory(dir);
        }
        catch (IOException e)
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }

            throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, M.InstallCopyFailed(source, e.Message));
        }
    }

    /// <summary>
    /// dkms's version sanity check (§8.1): OBSOLETE_BY, then the modinfo comparison with a module of the same
    /// name already in the kernel. Prints nothing: returns whether to install, and what to say about it.
    /// </summary>
    private async Task<(bool Install, Action<DkmsOutput> Report)> VersionSanityAsync(KernelTarget t, DkmsConf conf, ModuleSpec spec,
        string file, ActionOptions options, CancellationToken ct)
    {
        static void Nothing(DkmsOutput o)
        {
        }

        if (!options.Force && conf.ObsoleteBy is { } obsolete && IsObsolete(t.Kernel, obsolete))
        {
            return (false, o => o.Messages.Obsoleted(o, obsolete));
        }

        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        var ext = file[(file.LastIndexOf(".ko", StringComparison.Ordinal) + 3)..];
        var fileName = spec.DestName + ".ko" + ext;
        var names = new HashSet<string>(StringComparer.Ordinal) { spec.DestName + ".ko", fileName };
        var existing = Dkms.Core.Tree.FileWalker.Files(kernelDir, names.Contains);
        if (existing.Count == 0 || options.ForceVersionOverride)
        {
            return (true, Nothing);
        }

        if (existing.Count > 1)
        {
            return (true, o => o.Messages.SeveralInKernel(o, fileName, t.Kernel));
        }

        var old = await ModInfo.ReadAsync(existing[0], ct).ConfigureAwait(false);
        var @new = await ModInfo.ReadAsync(file, ct).ConfigureAwait(false);
        var cmp = ModInfo.Compare(old, @new);
        if (options.Force)
        {
            return (true, Nothing);
        }

        if (cmp == ">")
        {
            return (false, o => o.Messages.NotNewer(o, @new.Version, fileName, t.Kernel, old.Version));
        }

        if (cmp == "==" && (old.Version.Length > 0 || FilesEqual(existing[0], file)))
        {
            return (false, o => o.Messages.SameVersion(o, @new.Version, fileName, t.Kernel, existing[0]));
        }

        return (true, Nothing);
    }

    /// <summary>OBSOLETE_BY as dkms means it (3.0.10's split of upstream version and ABI; upstream's is broken, §13.17).</summary>
    internal static bool IsObsolete(string kernel, string obsoleteBy)
    {
        static (string Up, string? Abi) Split(string s)
        {
            var i = s.IndexOf('-', StringComparison.Ordinal);
            return i < 0 ? (s, null) : (s[..i], s[(i + 1)..]);
        }

        var (ku, ka) = Split(kernel);
        var (ou, oa) = Split(obsoleteBy);
        var up = Versioning.VersionOrder.CompareVer(ku, ou);
        return up > 0 || (up == 0 && (oa is null || (ka is not null && Versioning.VersionOrder.CompareVer(ka, oa) >= 0)));
    }

    /// <summary>Byte equality, following symbolic links (an install made with --symlink-modules is one).</summary>
    internal static bool FilesEqual(string a, string b)
    {
        try
        {
            using var fa = File.OpenRead(a);
            using var fb = File.OpenRead(b);
            if (fa.Length != fb.Length)
            {
                return false;
            }
        }
        catch (IOException)
        {
            return false;
        }

        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }

    /// <summary>
    /// Runs <c>depmod -a</c> for the kernel against the configured install tree (dkms ignores
    /// <c>--installtree</c> here, §13.9). Prints dkms's line even with <c>--no-depmod</c>.
    /// </summary>
    public async Task DepmodAsync(string kernel, ActionOptions options, CancellationToken ct = default)
    {
        Phase("depmod");
        if (options.NoDepmod)
        {
            await RunStepAsync(new Step(M.Depmod, "true", "/") { Background = true, VerboseText = M.DepmodVerbose(kernel), Guarded = false }, ct)
                .ConfigureAwait(false);
            return;
        }

        var tree = Path.GetFullPath(Settings.InstallTree).TrimEnd('/');
        string? scratch = null;
        string baseDir;
        if (tree.EndsWith("/lib/modules", StringComparison.Ordinal))
        {
            baseDir = tree[..^"/lib/modules".Length];
        }
        else
        {
            // depmod -b wants <base>/lib/modules: give it one that leads to our tree.
            scratch = Directory.CreateTempSubdirectory("dkms-depmod-").FullName;
            Directory.CreateDirectory(Path.Combine(scratch, "lib"));
            File.CreateSymbolicLink(Path.Combine(scratch, "lib", "modules"), tree);
            baseDir = scratch;
        }

        try
        {
            var args = new List<string> { "depmod", "-a" };
            if (baseDir.Length > 0)
            {
                args.AddRange(["-b", baseDir]);
            }

            args.Add(kernel);
            var command = string.Join(' ', args.Select(Bash.BashEvaluator.Quote));
            var result = await RunStepAsync(new Step(M.Depmod, command, "/") { Background = true, VerboseText = M.DepmodVerbose(kernel), Guarded = false }, ct)
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, M.DepmodFailed(result.ExitCode));
            }
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }
}
