using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// dkmsd on an Ubuntu machine (its os-release, through --os-release-root) signs as Ubuntu's dkms: with kmodsign from
/// PATH and the shim's DER certificate. The pair is made as update-secureboot-policy makes it (an RSA key in PEM, a
/// self-signed DER certificate for module signing), and the module is really built and really signed with it.
/// </summary>
public sealed class UbuntuSigningIntegrationTests : IDisposable
{
    private const string Signer = "dkmsd test Secure Boot Module Signature key";

    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    [Fact]
    public async Task Build_Ubuntu_KmodsignWithTheShimStylePair_ModuleSignedByIt()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        var root = Path.Combine(_trees.Root, "ubuntu");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "os-release"), "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n");

        var mok = Directory.CreateDirectory(Path.Combine(_trees.Root, "shim-signed", "mok")).FullName;
        var (key, cert) = (Path.Combine(mok, "MOK.priv"), Path.Combine(mok, "MOK.der"));
        var openssl = await Processes.RunAsync("openssl", ["req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "36500",
            "-sha256", "-outform", "DER", "-keyout", key, "-out", cert, "-subj", "/CN=" + Signer,
            "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=codeSigning,1.3.6.1.4.1.2312.16.1.2"]);
        Assert.True(openssl.ExitCode == 0, openssl.ToString());
        File.AppendAllText(_trees.FrameworkConf, $"mok_signing_key={key}\nmok_certificate={cert}\n");

        // Ubuntu's kmodsign takes sign-file's arguments and writes the same signature; Debian has no kmodsign, so the
        // stand-in on dkmsd's PATH records its call and hands it to the headers' sign-file.
        var bin = Directory.CreateDirectory(Path.Combine(_trees.Root, "bin")).FullName;
        var kmodsign = Path.Combine(bin, "kmodsign");
        var calls = Path.Combine(_trees.Root, "kmodsign-calls");
        File.WriteAllText(kmodsign, $"#!/bin/sh\necho \"$*\" >> {calls}\nexec /usr/lib/linux-kbuild-{KbuildVersion(kernel)}/scripts/sign-file \"$@\"\n");
        File.SetUnixFileMode(kmodsign, (UnixFileMode)Convert.ToInt32("755", 8));
        _trees.ExampleModule();

        await using var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-automation", "--os-release-root", root],
            new Dictionary<string, string> { ["PATH"] = bin + ":/usr/sbin:/usr/bin:/sbin:/bin" });
        await daemon.WaitForSocketAsync(_trees.Socket);
        Assert.Equal(0, (await DaemonCtl.RunAsync(_trees.Socket, ["add", "hello-dkms/1.0"])).ExitCode);
        var build = await DaemonCtl.RunAsync(_trees.Socket, ["build", "hello-dkms/1.0", "-k", kernel]);

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"Sign command: {kmodsign}\nSigning key: {key}\nPublic certificate (MOK): {cert}\n", build.Stdout, StringComparison.Ordinal);
        var ko = Path.Combine(_trees.DkmsTree, "hello-dkms", "1.0", kernel, "x86_64", "module", "hello_dkms.ko");
        Assert.Equal($"sha256 {key} {cert} ", File.ReadAllText(calls)[..($"sha256 {key} {cert} ".Length)]);
        var signer = await Processes.RunAsync("modinfo", ["-F", "signer", ko]);
        Assert.Equal(Signer, signer.Stdout.Trim());
    }

    /// <summary>Debian's kbuild directory for a kernel release (6.1.0-57-amd64 → 6.1).</summary>
    private static string KbuildVersion(string kernel) => string.Join('.', kernel.Split('.', '-').Take(2));
}
