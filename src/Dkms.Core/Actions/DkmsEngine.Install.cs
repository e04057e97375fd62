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
                _out.Line($"Module {mv} already installed on kernel {t}, skip. You may override by specifying --force.");
                return 0;
            }

            await UninstallLockedAsync(mv, t, options, ct).ConfigureAwait(false);
            _out.Line();
        }

        if (!IsBuiltDir(m, v, t.Kernel, t.Arch))
        {
            await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        }

        Phase("install");
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        if (!Directory.Exists(kernelDir))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, 6, $"The directory {kernelDir} doesn't exist.",
                $"You cannot install a module onto a non-existent kernel.");
        }

        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        var moduleDir = Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        var built = new List<(ModuleSpec Spec, string File)>();
        foreach (var spec in conf.Modules)
        {
            var file = BuiltFile(moduleDir, spec.DestName)
                       ?? throw new DkmsException(DkmsErrorKind.NotFound, 6, $"Missing module {spec.DestName} in {moduleDir}");
            built.Add((spec, file));
        }

        var source = Tree.SourceLink(m, v);
        var pre = await RunHookAsync("pre_install", "PRE_INSTALL", conf.PreInstall, source, ct).ConfigureAwait(false);
        if (pre != 0 && !options.Force)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 101, "pre_install failed, aborting install.",
                "You may override by specifying --force.");
        }

        // Check every module first, then write: a refused module never leaves a half-done install.
        var toInstall = new List<(ModuleSpec Spec, string File, string Target)>();
        foreach (var (spec, file) in built)
        {
            var target = PathGuard.Inside(kernelDir, spec.DestLocation.TrimStart('/') + "/" + Path.GetFileName(file), "DEST_MODULE_LOCATION");
            if (await VersionSanityAsync(mv, t, conf, spec, file, options, ct).ConfigureAwait(false))
            {
                toInstall.Add((spec, file, target));
            }
        }

        // Debian's 3.0.10 counts a module refused by the version check as installed (so a kernel that ships a
        // newer copy does not fail the package upgrade); upstream aborts with exit 6. Status and exit codes follow 3.0.10.

        foreach (var (spec, file, target) in toInstall)
        {
            ArchiveOriginal(mv, t, spec, target);
            _out.Line($"Installing {Path.Combine(kernelDir, spec.DestLocation.TrimStart('/'), Path.GetFileName(file))}");
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
            _out.Error("Problems with depmod detected. Automatically uninstalling this module.");
            await UninstallLockedAsync(mv, t, options with { NoDepmod = true }, ct).ConfigureAwait(false);
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, "Install Failed (depmod problems). Module rolled back to built state.");
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

            throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, $"Copying '{source}' failed", e.Message);
        }
    }

    /// <summary>
    /// dkms's version sanity check (§8.1): OBSOLETE_BY, then the modinfo comparison with a module of
    /// the same name already in the kernel. Returns false when this module must be skipped.
    /// </summary>
    private async Task<bool> VersionSanityAsync(ModuleRef mv, KernelTarget t, DkmsConf conf, ModuleSpec spec, string file,
        ActionOptions options, CancellationToken ct)
    {
        if (!options.Force && conf.ObsoleteBy is { } obsolete && IsObsolete(t.Kernel, obsolete))
        {
            _out.ErrLine($"Module has been obsoleted due to being included in kernel {obsolete}.");
            _out.ErrLine($"We will avoid installing for future kernels above {obsolete}.");
            _out.ErrLine("You may override by specifying --force.");
            return false;
        }

        if (options.ForceVersionOverride)
        {
            return true;
        }

        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        var ext = file[(file.LastIndexOf(".ko", StringComparison.Ordinal) + 3)..];
        var names = new HashSet<string>(StringComparer.Ordinal) { spec.DestName + ".ko", spec.DestName + ".ko" + ext };
        var existing = Dkms.Core.Tree.FileWalker.Files(kernelDir, names.Contains);
        if (existing.Count == 0)
        {
            return true;
        }

        if (existing.Count > 1)
        {
            _out.Warn($"Cannot do version sanity checking because multiple {spec.DestName}.ko{ext} modules were found in kernel {t.Kernel}.");
            return true;
        }

        var old = await ModInfo.ReadAsync(existing[0], ct).ConfigureAwait(false);
        var @new = await ModInfo.ReadAsync(file, ct).ConfigureAwait(false);
        var cmp = ModInfo.Compare(old, @new);
        if (options.Force)
        {
            return true;
        }

        if (cmp == ">")
        {
            _out.Error($"Module version {@new.Version} for {spec.DestName}.ko{ext}",
                $"is not newer than what is already found in kernel {t.Kernel} ({old.Version}).",
                "You may override by specifying --force.");
            return false;
        }

        if (cmp == "==" && (old.Version.Length > 0 || FilesEqual(existing[0], file)))
        {
            _out.ErrLine(old.Version.Length > 0
                ? $"Module {existing[0]} already installed at version {old.Version}, override by specifying --force"
                : $"Module {existing[0]} already installed (unversioned module), override by specifying --force");
            return false;
        }

        return true;
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
        _out.Text("Running depmod...");
        if (options.NoDepmod)
        {
            _out.Line(" done.");
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
            var args = new List<string> { "-a" };
            if (baseDir.Length > 0)
            {
                args.AddRange(["-b", baseDir]);
            }

            args.Add(kernel);
            await RunToolAsync("depmod", args, "depmod failed", 6, ct).ConfigureAwait(false);
            _out.Line(" done.");
        }
        catch (DkmsException)
        {
            _out.Line("(bad exit status)");
            throw;
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
