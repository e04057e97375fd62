using Dkms.Core.Signing;

namespace Dkms.Core.Tests.Signing;

/// <summary>Secure Boot's state and enrolled keys from an efivarfs-like directory, as mokutil reads them.</summary>
public sealed class SecureBootTests : IDisposable
{
    private const string Global = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    private const string Shim = "605dab50-e046-4300-abb6-3dd810dd8b23";
    private const string Db = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

    private readonly string _dir = Directory.CreateTempSubdirectory("efivars-").FullName;

    public SecureBootTests() => File.WriteAllBytes(Certificate, [0x30, 0x82, 1, 2, 3, 4]);

    private string Certificate => Path.Combine(_dir, "mok.pub");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void NoEfi_NoAdvice() => Assert.Null(SecureBoot.EnrollmentAdvice(Path.Combine(_dir, "absent"), Certificate));

    [Fact]
    public void SecureBootOff_NoAdvice()
    {
        Variable($"SecureBoot-{Global}", [6, 0, 0, 0, 0]);
        Assert.False(SecureBoot.IsEnabled(_dir));
        Assert.Null(SecureBoot.EnrollmentAdvice(_dir, Certificate));
    }

    [Fact]
    public void On_NotEnrolled_TellsTheImportCommand()
    {
        Variable($"SecureBoot-{Global}", [6, 0, 0, 0, 1]);
        Variable($"MokListRT-{Shim}", [6, 0, 0, 0, 9, 9, 9]); // another key only
        Assert.Contains($"'mokutil --import {Certificate}'", SecureBoot.EnrollmentAdvice(_dir, Certificate), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MokListRT")]
    [InlineData("MokListRT1")] // shim splits a long list
    [InlineData("db")]
    public void On_Enrolled_NoAdvice(string name)
    {
        Variable($"SecureBoot-{Global}", [6, 0, 0, 0, 1]);
        Variable($"{name}-{(name == "db" ? Db : Shim)}", [6, 0, 0, 0, 7, 7, .. File.ReadAllBytes(Certificate), 7]);
        Assert.Null(SecureBoot.EnrollmentAdvice(_dir, Certificate));
    }

    [Fact]
    public void On_ImportPending_TellsToReboot()
    {
        Variable($"SecureBoot-{Global}", [6, 0, 0, 0, 1]);
        Variable($"MokNew-{Shim}", [6, 0, 0, 0, .. File.ReadAllBytes(Certificate)]);
        Assert.Contains("is waiting to be enrolled: reboot", SecureBoot.EnrollmentAdvice(_dir, Certificate), StringComparison.Ordinal);
    }

    private void Variable(string name, byte[] data) => File.WriteAllBytes(Path.Combine(_dir, name), data);
}
