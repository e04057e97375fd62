using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Cli.Commands;

/// <summary>dkms's per-action preconditions and the kernel list every verb shares.</summary>
internal static class CommandGuards
{
    /// <summary>The kernels of the command line with their arches; the running kernel when none is given.</summary>
    public static List<KernelTarget> Targets(DkmsArguments args, DkmsEngine? engine = null)
    {
        var kernels = args.Kernels.Count > 0 ? args.Kernels : [engine?.RunningKernel ?? SystemInfo.RunningKernel()];
        var list = new List<KernelTarget>(kernels.Count);
        for (var i = 0; i < kernels.Count; i++)
        {
            var arch = (i < args.KernelArches.Count ? args.KernelArches[i] : null)
                       ?? (args.Arches.Count == 1 ? args.Arches[0] : args.Arches.Count > i ? args.Arches[i] : SystemInfo.MachineArch());
            list.Add(new KernelTarget(NameValidator.Require(kernels[i], "kernel version"), NameValidator.Require(arch, "arch")));
        }

        return list;
    }

    public static ModuleRef RequireModule(DkmsArguments args)
    {
        if (string.IsNullOrEmpty(args.Module) || string.IsNullOrEmpty(args.Version))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, "Arguments <module> and <module-version> are not specified.",
                "Usage: remove <module> <module-version> <kernel-version>",
                "   or: remove --all <module> <module-version>");
        }

        return new ModuleRef(args.Module, args.Version);
    }

    public static void RequireRoot()
    {
        if (!SystemInfo.IsRoot())
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, "You must be root to use this command.");
        }
    }

    public static void RequireWritableTree(DkmsEngine engine)
    {
        if (SystemInfo.IsRoot())
        {
            return;
        }

        var root = engine.Tree.Root;
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".dkms-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, $"No write access to DKMS tree at {root}");
        }
    }
}
