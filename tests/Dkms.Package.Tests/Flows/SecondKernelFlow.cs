using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (c) A second kernel arrives while a dkms package is installed: headers and image in one apt run, then removed;
/// then headers in one run and the image in a second, then removed again. A spy hook that run-parts orders right
/// before initramfs-tools' (/etc/kernel/postinst.d/i0-...) lists the kernel's .ko files at that moment.
/// </summary>
internal sealed class SecondKernelFlow : IFlow
{
    public const string InstallModule = "install vpoll-dkms";
    public const string InstallBoth = "install headers and image of the second kernel (one apt run)";
    public const string PurgeBoth = "purge image and headers of the second kernel";
    public const string InstallHeaders = "install headers of the second kernel";
    public const string InstallImage = "install image of the second kernel";
    public const string PurgeAgain = "purge image and headers of the second kernel (again)";

    /// <summary>The context key of the chosen kernel.</summary>
    public const string SecondKernel = "second kernel";

    /// <summary>The probe with the spy's listing.</summary>
    public const string AtInitramfs = "updates/dkms when initramfs-tools' hook started";

    private const string Spy = "/etc/kernel/postinst.d/i0-dkms-test-spy";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(15);

    public static SecondKernelFlow Instance { get; } = new();

    public string Name => "second-kernel";

    public TimeSpan Timeout => TimeSpan.FromMinutes(90);

    public async Task RunAsync(FlowSession session)
    {
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);
        var k = await ChooseKernelAsync(session).ConfigureAwait(false);
        session.Remember(SecondKernel, k);
        session.Container.Root.WriteFile(Spy,
            "#!/bin/sh\nls /lib/modules/\"$1\"/updates/dkms > /root/kernel-hook-spy-\"$1\" 2>&1 || true\n",
            RootCopy.Executable);
        var spyOutput = session.Container.Root.HostPath($"/root/kernel-hook-spy-{k}");
        Probe[] afterImage = [new(AtInitramfs, $"cat /root/kernel-hook-spy-{k} 2>/dev/null"), new("initrd", $"ls /boot/initrd.img-{k} 2>/dev/null")];
        Probe[] afterPurge = [new("/lib/modules/" + k, $"ls -A /lib/modules/{k} 2>/dev/null")];

        await session.StepAsync(InstallModule, "apt-get install -y vpoll-dkms", StepTimeout).ConfigureAwait(false);
        await session.StepAsync(InstallBoth, $"apt-get install -y linux-headers-{k} linux-image-{k}", StepTimeout, Comparison.Full, afterImage)
            .ConfigureAwait(false);
        await session.StepAsync(PurgeBoth, $"apt-get purge -y linux-image-{k} linux-headers-{k}", StepTimeout, Comparison.Full, afterPurge)
            .ConfigureAwait(false);
        await session.StepAsync(InstallHeaders, $"apt-get install -y linux-headers-{k}", StepTimeout).ConfigureAwait(false);
        File.Delete(spyOutput); // so the next probe cannot read the first run's listing
        await session.StepAsync(InstallImage, $"apt-get install -y linux-image-{k}", StepTimeout, Comparison.Full, afterImage)
            .ConfigureAwait(false);
        await session.StepAsync(PurgeAgain, $"apt-get purge -y linux-image-{k} linux-headers-{k}", StepTimeout, Comparison.Full, afterPurge)
            .ConfigureAwait(false);
    }

    /// <summary>The newest other 6.1.0-NN-amd64 ABI whose headers and image the mirror both has.</summary>
    private static async Task<string> ChooseKernelAsync(FlowSession session)
    {
        var search = await session.Container.ExecCheckedAsync(
            @"apt-cache search --names-only '^linux-(headers|image)-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1",
            TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        var names = search.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var kernels = names.Where(n => n.StartsWith("linux-image-", StringComparison.Ordinal))
            .Select(n => n["linux-image-".Length..])
            .Where(k => names.Contains("linux-headers-" + k) && k != session.Kernel);
        var chosen = HostKernel.PickNewest(kernels)
            ?? throw new InvalidOperationException($"The mirror has no second 6.1.0-NN-amd64 kernel with headers:\n{search.Stdout}");
        session.Progress($"second kernel: {chosen}");
        return chosen;
    }
}
