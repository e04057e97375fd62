using Dkms.Core.Actions;

namespace Dkms.Core.Tests.Actions;

public sealed class SigningTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public SigningTests()
    {
        // A kernel that wants signed modules, a sign-file, and a key pair that exists (nothing to generate).
        _f.Write($"modules/{EngineFixture.Kernel}/build/.config", "CONFIG_MODULE_SIG_HASH=\"sha512\"\n");
        var signFile = _f.Write("tools/sign-file", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(signFile, (UnixFileMode)Convert.ToInt32("755", 8));
        Key = _f.Write("keys/mok.key", "key\n");
        Certificate = _f.Write("keys/mok.pub", "certificate\n");
        _f.Write("etc/framework.conf", $"sign_file={signFile}\nmok_signing_key={Key}\nmok_certificate={Certificate}\n");
        SignFile = signFile;
    }

    private string SignFile { get; }

    private string Key { get; }

    private string Certificate { get; }

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Build_SigningConfigured_ModuleSignedBeforePublishing()
    {
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.EndsWith("signature: fake\n", await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "module", "hello.ko")), StringComparison.Ordinal);
        Assert.Contains($"Sign command: {SignFile}\nSigning key: {Key}\nPublic certificate (MOK): {Certificate}\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Single(_f.Processes.Log, "sign hello.ko");
    }

    [Fact]
    public async Task Build_SignFileFails_WarnsAndPublishesUnsigned()
    {
        var mv = await _f.AddModuleAsync("hello", modules: ["hello", "world"]);
        _f.Processes.SignFileExitCode = 2;

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        foreach (var name in new[] { "hello", "world" })
        {
            var text = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "module", name + ".ko"));
            Assert.DoesNotContain("signature", text, StringComparison.Ordinal);
        }

        Assert.Equal(["sign hello.ko", "sign world.ko"], _f.Processes.Log.Where(l => l.StartsWith("sign", StringComparison.Ordinal)));
        Assert.Equal(2, _f.Stderr.Split('\n').Count(l => l == "sign-file: key unreadable"));
    }

    [Fact]
    public async Task Build_KernelWithoutSigning_NoSignFileRun()
    {
        _f.Write($"modules/{EngineFixture.Kernel}/build/.config", "CONFIG_MODULES=y\n");
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("sign", StringComparison.Ordinal));
        Assert.Contains("The kernel is built without module signing facility, modules won't be signed", _f.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3.4", "false", false, "Module signing is disabled by policy, modules won't be signed")]
    [InlineData("3.4", "not_in_chroot", true, "Running in chroot, modules won't be signed")]
    [InlineData("3.4", null, true, "Running in chroot, modules won't be signed")] // the default is not_in_chroot
    [InlineData("3.4", "true", true, null)]
    [InlineData("3.4", "not_in_chroot", false, null)]
    [InlineData("3.2", "false", true, null)] // 3.2 has no such key: it signs
    [InlineData("3.0", "false", true, null)]
    public async Task Build_TrySignModules_AsTheProfileReadsIt(string profile, string? value, bool chroot, string? refusal)
    {
        if (value is not null)
        {
            File.AppendAllText(_f.Settings.FrameworkConf, $"try_sign_modules={value}\n");
        }

        // A procfs copy in which this process sees another mount at "/" than init does (or the same one).
        var proc = Path.Combine(_f.Root, "proc");
        _f.Write("proc/1/mountinfo", "27 1 254:0 / / rw - ext4 /dev/vda rw\n");
        _f.Write("proc/self/mountinfo", chroot ? "50 40 0:44 / / rw - tmpfs tmpfs rw\n" : "81 80 254:0 / / ro - ext4 /dev/vda rw\n");
        var facts = new Dkms.Core.Platform.SystemFacts("5.10.0-1-running", EngineFixture.Arch, IsRoot: false, Distribution: "debian") { ProcDir = proc };
        _f.NewEngine(_f.Settings with { Profile = Dkms.Core.Compat.DkmsProfile.Find(profile)! }, facts);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        if (refusal is null)
        {
            Assert.Single(_f.Processes.Log, "sign hello.ko");
            Assert.DoesNotContain("won't be signed", _f.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("sign", StringComparison.Ordinal));
            Assert.Contains(refusal + "\n", _f.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Sign command:", _f.Stdout, StringComparison.Ordinal);
        }
    }
}
