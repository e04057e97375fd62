namespace Dkms.Core.Signing;

/// <summary>
/// Whether the kernel will accept modules signed with a certificate: Secure Boot's state and the keys shim trusts, read
/// from the EFI variables (what <c>mokutil --sb-state</c> and <c>mokutil --test-key</c> read), so that a user whose
/// modules would be rejected at load ("Key was rejected by service") is told how to enroll the key before rebooting.
/// </summary>
public static class SecureBoot
{
    private const string GlobalVariables = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    private const string ShimVariables = "605dab50-e046-4300-abb6-3dd810dd8b23";
    private const string ImageSecurityDatabase = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

    /// <summary>What the user should do about <paramref name="certificate"/>, or null when nothing (no Secure Boot, enrolled).</summary>
    /// <param name="efiVars">The efivarfs directory (<c>/sys/firmware/efi/efivars</c>).</param>
    /// <param name="certificate">The DER certificate modules are signed with.</param>
    public static string? EnrollmentAdvice(string efiVars, string certificate)
    {
        if (!IsEnabled(efiVars) || !File.Exists(certificate))
        {
            return null;
        }

        byte[] der;
        try
        {
            der = File.ReadAllBytes(certificate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (der.Length == 0 || Holds(efiVars, der, "MokListRT", ShimVariables) || Holds(efiVars, der, "db", ImageSecurityDatabase))
        {
            return null;
        }

        return Holds(efiVars, der, "MokNew", ShimVariables)
            ? $"Secure Boot is on and the module signing key {certificate} is waiting to be enrolled: reboot and choose \"Enroll MOK\" in the blue MOK Manager screen, or the kernel will refuse these modules."
            : $"Secure Boot is on and the module signing key {certificate} is not enrolled, so the kernel will refuse these modules: run 'mokutil --import {certificate}', choose a password, reboot and choose \"Enroll MOK\" in the blue MOK Manager screen.";
    }

    /// <summary>True when the firmware says Secure Boot is enforcing (the variable's data byte after its 4 attribute bytes).</summary>
    public static bool IsEnabled(string efiVars)
    {
        var data = Read(Path.Combine(efiVars, $"SecureBoot-{GlobalVariables}"));
        return data is { Length: >= 5 } && data[4] == 1;
    }

    /// <summary>
    /// True when a variable named <paramref name="name"/> (shim splits large lists: MokListRT, MokListRT1, ...) holds the
    /// certificate's bytes: an EFI_SIGNATURE_LIST of X.509 entries stores each certificate as it is.
    /// </summary>
    private static bool Holds(string efiVars, byte[] der, string name, string guid)
    {
        if (!Directory.Exists(efiVars))
        {
            return false;
        }

        foreach (var file in Directory.EnumerateFiles(efiVars, $"{name}*-{guid}"))
        {
            var suffix = Path.GetFileName(file)[name.Length..^(guid.Length + 1)];
            if (suffix.All(char.IsAsciiDigit) && Read(file) is { } data && data.AsSpan().IndexOf(der) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static byte[]? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
