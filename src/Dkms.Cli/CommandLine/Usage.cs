namespace Dkms.Cli.CommandLine;

/// <summary>dkms's usage text (printed by <c>-h</c>, an unknown option or action).</summary>
internal static class Usage
{
    public static string Text(string program) => $$"""
        Usage: {{program}} [action] [options]
          [action]  = { add | remove | build | unbuild | install | uninstall | match |
                       autoinstall | mktarball | ldtarball | generate_mok |
                       status | kernel_preinst | kernel_postinst | kernel_prerm }
          [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]
                      [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]
                      [--templatekernel=kernel] [--directive='cli-directive=cli-value']
                      [--config=kernel-.config-location] [--archive=tarball-location]
                      [--kernelsourcedir=source-location] [--rpm_safe_upgrade]
                      [--dkmstree path] [--sourcetree path] [--installtree path]
                      [--binaries-only] [--source-only] [--verbose] [--no-depmod] [-j number] [--version]
          dkmsctl   = [--framework-conf path] [--offline] [--json]; preflight -k kernel [--kernelsourcedir path]

        """;
}
