using Dkms.Core.Actions;
using Dkms.Core.Platform;

namespace Dkms.Core.Tests.Actions;

/// <summary>
/// dkms's signing on Ubuntu: kmodsign from PATH and the shim's MOK pair (made by update-secureboot-policy when missing);
/// and everywhere, one sentence with the mokutil command when Secure Boot is on and the certificate is not enrolled.
/// </summary>
public sealed class UbuntuSigningTests : IDisposable
{
    private const string SecureBootVariable = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
    private const string MokListVariable = "MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23";

    private readonly EngineFixture _f = new();

    public UbuntuSigningTests()
    {
        _f.Write($"modules/{EngineFixture.Kernel}/build/.config", "CONFIG_MODULE_SIG_HASH=\"sha256\"\n");
        Kmodsign = Executable("bin/kmodsign", "#!/bin/sh\nexit 0\n");
        ShimDir = Path.Combine(_f.Root, "shim-signed", "mok");
        EfiVars = Path.Combine(_f.Root, "efivars");
        Directory.CreateDirectory(ShimDir);
        Directory.CreateDirectory(EfiVars);
        _f.NewEngine(_f.Settings with { Distribution = "ubuntu" }, Facts);
    }

    private string Kmodsign { get; }

    private string ShimDir { get; }

    private string EfiVars { get; }

    private string Key => Path.Combine(ShimDir, "MOK.priv");

    private string Certificate => Path.Combine(ShimDir, "MOK.der");

    private SystemFacts Facts => new("5.10.0-1-running", EngineFixture.Arch, IsRoot: true, Distribution: "ubuntu")
    {
        SearchPath = Path.Combine(_f.Root, "bin"),
        ShimMokDir = ShimDir,
        EfiVarsDir = EfiVars,
    };

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Build_Ubuntu_SignsWithKmodsignAndTheShimPair()
    {
        _f.Write("shim-signed/mok/MOK.priv", "key\n");
        _f.Write("shim-signed/mok/MOK.der", "certificate\n");
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Contains($"Sign command: {Kmodsign}\nSigning key: {Key}\nPublic certificate (MOK): {Certificate}\n", _f.Stdout, StringComparison.Ordinal);
        var signing = Assert.Single(_f.Processes.Signings);
        Assert.Equal(Kmodsign, signing.FileName);
        Assert.Equal(["sha256", Key, Certificate, Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build", "hello.ko")], signing.Arguments);
    }

    [Fact]
    public async Task Build_UbuntuPairMissingWithoutUpdateSecureBootPolicy_NotSigned()
    {
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Contains($"Sign command: {Kmodsign}\nBinary update-secureboot-policy not found, modules won't be signed\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Empty(_f.Processes.Signings);
    }

    [Fact]
    public async Task Build_UbuntuLoneCertificate_RemovedAndPairMadeByUpdateSecureBootPolicy()
    {
        _f.Write("shim-signed/mok/MOK.der", "an old certificate without its key\n");
        // As Ubuntu's: makes no key while the certificate exists; dkms passes SHIM_NOTRIGGER=y and --new-key.
        Executable("bin/update-secureboot-policy", $"""
            #!/bin/sh
            [ "$SHIM_NOTRIGGER" = y ] && [ "$1" = --new-key ] || exit 3
            [ -e {Certificate} ] && exit 4
            echo new key > {Key}; echo new certificate > {Certificate}
            """);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Contains("Certificate or key are missing, generating them using update-secureboot-policy...\n"
            + $"Signing key: {Key}\nPublic certificate (MOK): {Certificate}\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Equal("new certificate\n", await File.ReadAllTextAsync(Certificate));
        Assert.Single(_f.Processes.Signings);
    }

    [Fact]
    public async Task Build_SecureBootOnAndCertificateNotEnrolled_OneSentenceWithTheMokutilCommand()
    {
        _f.Write("shim-signed/mok/MOK.priv", "key\n");
        _f.Write("shim-signed/mok/MOK.der", "certificate\n");
        await File.WriteAllBytesAsync(Path.Combine(EfiVars, SecureBootVariable), [6, 0, 0, 0, 1]);
        var mv = await _f.AddModuleAsync("hello", modules: ["hello", "world"]);

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], new ActionOptions { Force = true }));

        var advice = _f.Stderr.Split('\n').Where(l => l.Contains("mokutil", StringComparison.Ordinal)).ToList();
        Assert.Equal($"Secure Boot is on and the module signing key {Certificate} is not enrolled, so the kernel will refuse these modules: "
            + $"run 'mokutil --import {Certificate}', choose a password, reboot and choose \"Enroll MOK\" in the blue MOK Manager screen.", Assert.Single(advice));
    }

    [Fact]
    public async Task Build_CertificateEnrolled_NoAdvice()
    {
        _f.Write("shim-signed/mok/MOK.priv", "key\n");
        _f.Write("shim-signed/mok/MOK.der", "certificate\n");
        await File.WriteAllBytesAsync(Path.Combine(EfiVars, SecureBootVariable), [6, 0, 0, 0, 1]);
        // An EFI_SIGNATURE_LIST of one X.509 entry: attributes, list header, owner GUID, then the DER bytes as they are.
        await File.WriteAllBytesAsync(Path.Combine(EfiVars, MokListVariable), [6, 0, 0, 0, .. new byte[44], .. "certificate\n"u8.ToArray()]);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.DoesNotContain("mokutil", _f.Stderr, StringComparison.Ordinal);
        Assert.Single(_f.Processes.Signings);
    }

    [Theory]
    [InlineData("3.0", false)]
    [InlineData("3.2", true)]
    [InlineData("3.4", true)]
    public async Task Build_UbuntuNewShimPair_QueuedForEnrollmentFrom32(string profile, bool enrolls)
    {
        var calls = Path.Combine(_f.Root, "policy-calls");
        Executable("bin/update-secureboot-policy", $"""
            #!/bin/sh
            echo "$*" >> {calls}
            case "$1" in
              --new-key) echo new key > {Key}; echo new certificate > {Certificate} ;;
              --enroll-key) echo "Enrolling the new key: a password will be asked at the next boot." ;;
            esac
            """);
        _f.NewEngine(_f.Settings with { Distribution = "ubuntu", Profile = Core.Compat.DkmsProfile.Find(profile)! }, Facts);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Equal(enrolls ? ["--new-key", "--enroll-key"] : ["--new-key"], await File.ReadAllLinesAsync(calls));
        Assert.Equal(enrolls, _f.Stdout.Contains("Enrolling the new key: a password will be asked at the next boot.\n", StringComparison.Ordinal));
        Assert.Single(_f.Processes.Signings);
    }

    [Theory]
    [InlineData("environment")]
    [InlineData("make.conf")]
    [InlineData("kernel")]
    public async Task Build_Gentoo32_PortageOrKernelKey(string source)
    {
        var portage = Path.Combine(_f.Root, "portage", "make.conf");
        string? key = null, cert = null;
        Dictionary<string, string> env = [];
        switch (source)
        {
            case "environment":
                (key, cert) = (_f.Write("gentoo/env.key", "k\n"), _f.Write("gentoo/env.crt", "c\n"));
                env = new() { ["MODULES_SIGN_KEY"] = key, ["MODULES_SIGN_CERT"] = cert };
                break;
            case "make.conf":
                (key, cert) = (_f.Write("gentoo/portage.key", "k\n"), _f.Write("gentoo/portage.crt", "c\n"));
                _f.Write("portage/make.conf", $"USE=\"dist-kernel\"\nMODULES_SIGN_KEY=\"{key}\"\nMODULES_SIGN_CERT=\"{cert}\"\n");
                break;
            default:
                // The kernel's own key, relative to its tree: one PEM with both halves.
                _f.Write($"modules/{EngineFixture.Kernel}/build/.config",
                    "CONFIG_MODULE_SIG_HASH=\"sha256\"\nCONFIG_MODULE_SIG_KEY=\"certs/signing_key.pem\"\n");
                key = cert = _f.Write($"modules/{EngineFixture.Kernel}/build/certs/signing_key.pem", "both\n");
                break;
        }

        _f.Write("etc/framework.conf", $"sign_file={Executable("bin/sign-file", "#!/bin/sh\nexit 0")}\n");
        var facts = Facts with { PortageMakeConf = portage, Environment = n => env.GetValueOrDefault(n), Distribution = "gentoo" };
        _f.NewEngine(_f.Settings with { Distribution = "gentoo", Profile = Core.Compat.DkmsProfile.V32 }, facts);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Contains($"Signing key: {key}\nPublic certificate (MOK): {cert}\n", _f.Stdout, StringComparison.Ordinal);
        var signing = Assert.Single(_f.Processes.Signings);
        Assert.Equal(key, signing.Arguments[1]);
        Assert.Equal(cert, signing.Arguments[2]);
    }

    [Fact]
    public async Task Build_Gentoo30_DkmsDefaultKey()
    {
        var key = _f.Write("gentoo/env.key", "k\n");
        _f.Write("etc/framework.conf", $"sign_file={Executable("bin/sign-file", "#!/bin/sh\nexit 0")}\n");
        var facts = Facts with { Environment = n => n == "MODULES_SIGN_KEY" ? key : null, Distribution = "gentoo" };
        _f.NewEngine(_f.Settings with { Distribution = "gentoo", Profile = Core.Compat.DkmsProfile.V30 }, facts);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.DoesNotContain(key, _f.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Signing key: {_f.Engine.Context.Signer.DefaultMok.Key}\n", _f.Stdout, StringComparison.Ordinal);
    }

    private string Executable(string relative, string text)
    {
        var path = _f.Write(relative, text.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return path;
    }
}
