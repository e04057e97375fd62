using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>
/// (i) Building an image in a chroot, as live-build, mmdebstrap hooks and installers do: no systemd and no daemon,
/// /proc mounted, <c>chroot ROOT apt-get install</c> of the provider, then of a <c>*-dkms</c> package. The module must
/// be built and installed for the image's kernel with either provider. With dkmsd this takes dkmsctl's in-process path,
/// and the chroot, where the kernel refuses bubblewrap its user namespaces, builds as root as dkms does.
/// </summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class ImageBuildFlowTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(15);

    [Theory]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public async Task AptInChroot_DkmsPackage_BuiltAndInstalledForTheImagesKernel(Provider provider)
    {
        var root = DebianRoot.ForHost();
        await using var image = await root.CreateCopyAsync($"image-{provider}".ToLowerInvariant(), output.WriteLine);
        var install = provider == Provider.Dkms ? "dkms" : "/root/" + Path.GetFileName(DkmsdPackage.Find());
        if (provider == Provider.Dkmsd)
        {
            image.CopyIn(DkmsdPackage.Find(), install);
        }

        var first = await InChrootAsync(image, $"apt-get update -q && apt-get install -y {install}");
        Assert.True(first.ExitCode == 0, first.ToString());
        var module = await InChrootAsync(image, "apt-get install -y acpi-call-dkms && dkms status");
        output.WriteLine(module.Output);

        Assert.True(module.ExitCode == 0, module.ToString());
        Assert.Matches($@"acpi-call/[^,]+, {System.Text.RegularExpressions.Regex.Escape(root.Kernel)}, x86_64: installed", module.Stdout);
        Assert.True(File.Exists(image.HostPath($"/lib/modules/{root.Kernel}/updates/dkms/acpi_call.ko")), module.ToString());
        Assert.Empty(Directory.GetFiles(image.HostPath("/var/lib/dkms"), "*.lock", SearchOption.AllDirectories));
        if (provider == Provider.Dkmsd)
        {
            Assert.Contains("Warning: in a chroot, the build sandbox cannot run", module.Output, StringComparison.Ordinal);
        }
    }

    /// <summary><paramref name="command"/> in the image, chrooted, with /proc and /dev mounted in a private mount namespace.</summary>
    private static Task<ProcessResult> InChrootAsync(RootCopy image, string command)
    {
        var r = image.Root;
        var script = $"mount -t proc proc '{r}/proc' && mount --rbind /dev '{r}/dev' && "
            + $"exec chroot '{r}' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive /bin/sh -c '{command}'";
        return HostProcess.RunAsync("unshare", ["-m", "--propagation", "private", "sh", "-c", script], StepTimeout);
    }
}
