using Dkms.Cli.CommandLine;
using System.Globalization;
using Dkms.Core.Docs;
using Dkms.Core.Errors;

namespace Dkms.Cli.Docs;

/// <summary>dkmsctl(8), also installed as dkms(8): written from <see cref="Verbs.Verbs"/> and <see cref="Options"/>.</summary>
internal static class DkmsctlManPage
{
    public static string Text()
    {
        var page = new Roff("dkmsctl", 8, "System Administration")
            .Section("Name")
            .Raw("dkmsctl, dkms \\- build and install out\\-of\\-tree kernel modules, through dkmsd")
            .Section("Synopsis")
            .Raw(".B dkms\n[\\fIaction\\fR] [\\fIoptions\\fR] [\\fImodule\\fR/\\fIversion\\fR | \\fIsource\\-dir\\fR | \\fIdkms.conf\\fR | \\fItarball\\fR]")
            .Raw(".br\n.B dkmsctl\n[\\fIaction\\fR] [\\fIoptions\\fR] ...")
            .Section("Description")
            .Paragraph("dkmsctl is dkms's command line for dkmsd: the same actions, options, status lines and exit codes as dkms. "
                + "Installed as dkms it is dkms. When dkmsd answers on its socket the request runs there, as a job that other "
                + "callers can follow; without the daemon (or with --offline) the same engine runs in this process.")
            .Paragraph("Package code (dkms.conf, PRE_BUILD, make, POST_BUILD) runs in a sandbox as an unprivileged user, read-only "
                + "outside the module's build directory and without network, unless framework.conf says build_sandbox=\"none\". "
                + "PRE_INSTALL, POST_INSTALL, POST_ADD and POST_REMOVE run as root, as with dkms.")
            .Section("Actions");
        foreach (var v in Verbs.Verbs.All)
        {
            page.Item([v.Name], null, v.Help);
        }

        page.Section("Options");
        foreach (var o in Options.All.Where(o => o.Origin == OptionOrigin.Dkms))
        {
            page.Item(o.Spellings, o.Value, o.Help);
        }

        page.Paragraph("dkmsctl's own:");
        foreach (var o in Options.All.Where(o => o.Origin == OptionOrigin.Dkmsctl))
        {
            page.Item(o.Spellings, o.Value, o.Help);
        }

        page.Paragraph("Accepted with a deprecation warning, as dkms does: "
            + string.Join(", ", Options.All.Where(o => o.Origin == OptionOrigin.Deprecated).Select(o => o.Name)) + ".");
        return page
            .Section("Environment")
            .Item(["DKMSD_SOCKET"], null, "dkmsd's socket when --socket is not given.")
            .Item(["DKMSCTL_OFFLINE"], null, "1: run in this process, as --offline.")
            .Section("Files")
            .Item(["/etc/dkms/framework.conf"], null, "The trees, signing, the build sandbox and the other settings, as dkms reads them.")
            .Item(["/usr/src/<module>-<version>/dkms.conf"], null, "A module's source and its recipe.")
            .Item(["/var/lib/dkms"], null, "The dkms tree: what is added, built and installed.")
            .Item([Protocol.DkmsContract.DefaultSocket], null, "dkmsd's socket.")
            .Section("Exit status")
            .Paragraph("dkms's, as the distribution's dkms returns them:")
            .Item(["0"], null, "Success.")
            .Item([Code(DkmsExitCode.Failure)], null, "A failure without a number of its own.")
            .Item([Code(DkmsExitCode.BadArgument)], null, "Bad usage, or the source, archive or directory named does not exist.")
            .Item([Code(DkmsExitCode.NotInTree)], null, "The module is not in the tree, or is already added or built there.")
            .Item([Code(DkmsExitCode.Broken)], null, "The module's version directory is broken, or its dkms.conf is missing.")
            .Item([Code(DkmsExitCode.PatchFailed)], null, "A patch failed to apply.")
            .Item([Code(DkmsExitCode.InstallFailed)], null, "Preparing the build or installing failed.")
            .Item([Code(DkmsExitCode.BadBuildResult)], null, "A built module is missing, or an archive is not what it should be.")
            .Item([Code(DkmsExitCode.BadConf)], null, "dkms.conf is invalid, or ldtarball of a module already added.")
            .Item([Code(DkmsExitCode.CopyFailed)], null, "Copying the module's source failed.")
            .Item([Code(DkmsExitCode.MakeFailed)], null, "make failed or ran past build_timeout.")
            .Item([Code(DkmsExitCode.AutoinstallFailed)], null, "autoinstall: a module failed.")
            .Item([Code(DkmsExitCode.BuildDependsMissing)], null, "A BUILD_DEPENDS module is missing.")
            .Item([Code(DkmsExitCode.KernelRemoveFailed)], null, "kernel_prerm or kernel_preinst: a module failed.")
            .Item([Code(DkmsExitCode.MissingHeaders)], null, "The kernel's headers are not installed.")
            .Item([Code(DkmsExitCode.Excluded)], null, "BUILD_EXCLUSIVE does not match this kernel: skipped, not failed.")
            .Item([Code(DkmsExitCode.PreInstallFailed)], null, "PRE_INSTALL refused the install.")
            .Section("See also")
            .Raw(".BR dkmsd (8),\n.BR dkms\\-notify (1)")
            .ToString();
    }

    private static string Code(int code) => code.ToString(CultureInfo.InvariantCulture);
}
