namespace Dkms.Package.Tests.Infrastructure;

/// <summary>What every fresh root copy gets before it boots: the host's mirror and name servers, and a quiet apt.</summary>
internal static class ContainerSetup
{
    public static void Apply(RootCopy copy, IEnumerable<string> aptOptions)
    {
        copy.CopyIn("/etc/resolv.conf", "/etc/resolv.conf");

        // The same mirror as the host, through the same deb822 files; mmdebstrap's one-line sources.list would
        // name every suite a second time ("configured multiple times" warnings).
        copy.WriteFile("/etc/apt/sources.list", string.Empty);
        foreach (var file in HostAptSources.Files())
        {
            copy.CopyIn(file, Path.Combine(HostAptSources.Directory, Path.GetFileName(file)));
        }

        // mmdebstrap writes the same two options into 99mmdebstrap; they are repeated here so a root built
        // another way still accepts the snapshot. The lock timeout makes apt wait rather than fail on a held lock.
        copy.WriteFile("/etc/apt/apt.conf.d/99dkmsd-tests",
            string.Concat(aptOptions.Select(o => o + ";\n")) + "DPkg::Lock::Timeout \"300\";\n");

        // The daily apt timers fire right after the first boot (Persistent=true, no stamp yet) and would take the
        // dpkg lock in the middle of a flow.
        copy.Mask("/etc/systemd/system/apt-daily.timer");
        copy.Mask("/etc/systemd/system/apt-daily-upgrade.timer");
    }
}
