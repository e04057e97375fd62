using Dkms.Core.Processes;
using Dkms.Core.Tree;

namespace Dkms.Core.Signing;

/// <summary>
/// The Machine Owner Key pair dkms signs modules with: an unencrypted RSA-2048 PEM key (mode 0600) and a
/// DER certificate with the codeSigning extended key usage, made with openssl on first need.
/// </summary>
public static class MokKeys
{
    /// <summary>The subject dkms gives the certificate (modinfo shows it as the signer).</summary>
    public const string Subject = "/CN=DKMS module signing key";

    /// <summary>
    /// Makes sure both files exist, generating the pair when either is missing. Concurrent callers
    /// (threads or processes) are serialised by a lock beside the key, so the pair is made once and matches.
    /// </summary>
    /// <returns>Null when both files exist afterwards, else the message dkms prints.</returns>
    public static async Task<string?> EnsureAsync(string key, string certificate, Action<string> say, CancellationToken ct = default)
    {
        if (key.StartsWith("pkcs11:", StringComparison.Ordinal) || (File.Exists(key) && File.Exists(certificate)))
        {
            return null;
        }

        var keyDir = Path.GetDirectoryName(Path.GetFullPath(key))!;
        var certDir = Path.GetDirectoryName(Path.GetFullPath(certificate))!;
        try
        {
            Directory.CreateDirectory(keyDir);
            Directory.CreateDirectory(certDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Missing(key, certificate);
        }

        await using (await ModuleLock.AcquireAsync(keyDir, "." + Path.GetFileName(key), cancellationToken: ct).ConfigureAwait(false))
        {
            if (File.Exists(key) && File.Exists(certificate))
            {
                return null; // another caller made them while we waited
            }

            say("Certificate or key are missing, generating self signed certificate for MOK...");
            var suffix = $".dkms-new-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
            var newKey = Path.Combine(keyDir, "." + Path.GetFileName(key) + suffix);
            var newCert = Path.Combine(certDir, "." + Path.GetFileName(certificate) + suffix);
            try
            {
                var result = await ProcessRunner.RunAsync(new ProcessSpec("openssl",
                [
                    "req", "-new", "-x509", "-nodes", "-days", "36500", "-subj", Subject, "-newkey", "rsa:2048",
                    "-keyout", newKey, "-addext", "extendedKeyUsage=codeSigning", "-outform", "DER", "-out", newCert,
                ])
                { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
                if (result.Succeeded && File.Exists(newKey) && File.Exists(newCert))
                {
                    File.SetUnixFileMode(newKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    // Certificate first: a crash between the renames leaves a certificate without its key,
                    // which the next call regenerates as a pair.
                    File.Move(newCert, certificate, overwrite: true);
                    File.Move(newKey, key, overwrite: true);
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "openssl not found, can't generate key and certificate.";
            }
            finally
            {
                File.Delete(newKey);
                File.Delete(newCert);
            }
        }

        return Missing(key, certificate);
    }

    private static string? Missing(string key, string certificate) =>
        !File.Exists(key) ? $"Key file {key} not found and can't be generated, modules won't be signed"
        : !File.Exists(certificate) ? $"Certificate file {certificate} not found and can't be generated, modules won't be signed"
        : null;
}
