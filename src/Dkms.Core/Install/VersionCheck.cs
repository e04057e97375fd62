using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Output;
using Dkms.Core.Processes;
using Dkms.Core.Tree;
using Dkms.Core.Versioning;

namespace Dkms.Core.Install;

/// <summary>dkms's version sanity check (§8.1): whether a built module may replace what the kernel has.</summary>
internal sealed class VersionCheck(DkmsTree tree, IProcessRunner processes)
{
    /// <summary>
    /// OBSOLETE_BY, then the modinfo comparison with a module of the same name already in the kernel. Prints nothing:
    /// returns whether to install, and what to say about it.
    /// </summary>
    public async Task<(bool Install, Action<DkmsOutput> Report)> CheckAsync(KernelTarget t, DkmsConf conf, ModuleSpec spec,
        string file, ActionOptions options, CancellationToken ct)
    {
        static void Nothing(DkmsOutput o)
        {
        }

        if (!options.Force && conf.ObsoleteBy is { } obsolete && IsObsolete(t.Kernel, obsolete))
        {
            return (false, o => o.Messages.Obsoleted(o, obsolete));
        }

        var kernelDir = tree.InstallKernelDir(t.Kernel);
        var ext = file[(file.LastIndexOf(".ko", StringComparison.Ordinal) + 3)..];
        var fileName = spec.DestName + ".ko" + ext;
        var names = new HashSet<string>(StringComparer.Ordinal) { spec.DestName + ".ko", fileName };
        var existing = FileWalker.Files(kernelDir, names.Contains);
        if (existing.Count == 0 || options.ForceVersionOverride)
        {
            return (true, Nothing);
        }

        if (existing.Count > 1)
        {
            return (true, o => o.Messages.SeveralInKernel(o, fileName, t.Kernel));
        }

        var old = await ModInfo.ReadAsync(processes, existing[0], ct).ConfigureAwait(false);
        var @new = await ModInfo.ReadAsync(processes, file, ct).ConfigureAwait(false);
        var cmp = ModInfo.Compare(old, @new);
        if (options.Force)
        {
            return (true, Nothing);
        }

        if (cmp == ">")
        {
            return (false, o => o.Messages.NotNewer(o, @new.Version, fileName, t.Kernel, old.Version));
        }

        if (cmp == "==" && (old.Version.Length > 0 || ModuleFileComparer.BytesEqual(existing[0], file)))
        {
            return (false, o => o.Messages.SameVersion(o, @new.Version, fileName, t.Kernel, existing[0]));
        }

        return (true, Nothing);
    }

    /// <summary>
    /// dkms's find_actual_dest_module_location: an installed file is this module's when it equals the built
    /// copy or has the same modinfo version; anything else (the kernel's own module) is left alone.
    /// </summary>
    public async Task<bool> IsOurInstalledCopyAsync(string? built, string installed, CancellationToken ct)
    {
        if (built is null)
        {
            return false;
        }

        if (ModuleFileComparer.BytesEqual(built, installed))
        {
            return true;
        }

        var cmp = ModInfo.Compare(await ModInfo.ReadAsync(processes, built, ct).ConfigureAwait(false),
            await ModInfo.ReadAsync(processes, installed, ct).ConfigureAwait(false));
        return cmp is "==" or "=";
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
        var up = VersionOrder.CompareVer(ku, ou);
        return up > 0 || (up == 0 && (oa is null || (ka is not null && VersionOrder.CompareVer(ka, oa) >= 0)));
    }
}
