using Dkms.Core.Platform;
using Dkms.Core.Processes;
using Dkms.Core.Tree;

namespace Dkms.Core.Signing;

/// <summary>
/// The Machine Owner Key pair dkms signs modules with: an unencrypted RSA-2048 PEM key (mode 0600) and a
/// DER certificate with the codeSigning extended key usage, made with openssl on first need.
/// </summary>
/// <remarks>
/// dkms 3.0.10 runs openssl on the configured paths whenever either file is missing: a mistyped path
/// fails with "can't be generated" and touches nothing when its directory is missing, but when it is
/// not, openssl overwrites the half of the pair that exists (often the enrolled certificate or its key).
/// Here a configured pair is only made when both files are missing in existing directories; the default
/// pair in the dkms tree is remade as dkms remakes it. No directory is ever created.
/// </remarks>
public static partial class MokKeys
{
    /// <summary>The subject dkms gives the certificate (modinfo shows it as the signer).</summary>
    public const string Subject = "/CN=DKMS module signing key";

    private const string Generating = "Certificate or key are missing, generating self signed certificate for MOK...";

    /// <summary>
    /// The certificate modules are signed with when no kernel says otherwise: framework.conf's <c>mok_certificate</c>, on
    /// Ubuntu without a configured key the shim's MOK.der, else the default pair's.
    /// </summary>
    public static string SigningCertificate(Framework.DkmsSettings settings, SystemFacts facts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(facts);
        return settings.MokCertificate
            ?? (settings.MokSigningKey is null && settings.Distribution.StartsWith("ubuntu", StringComparison.Ordinal)
                ? Path.Combine(facts.ShimMokDir, "MOK.der")
                : DefaultPair(settings.DkmsTree).Certificate);
    }

    /// <summary>dkms's default pair: <c>mok.key</c> and <c>mok.pub</c> in the dkms tree.</summary>
    public static (string Key, string Certificate) DefaultPair(string dkmsTree) =>
        (Path.Combine(dkmsTree, "mok.key"), Path.Combine(dkmsTree, "mok.pub"));

    /// <summary>
    /// Makes sure both files exist, generating the pair where dkms would and where nothing is replaced.
    /// Concurrent callers (threads or processes) are serialised by a lock beside the key, so the pair is
    /// made once and matches.
    /// </summary>
    /// <param name="isDefault">Both paths are <see cref="DefaultPair"/>'s (not configured in framework.conf).</param>
    /// <param name="say">Prints a progress line (dkms's "generating" line, or why no pair is made).</param>
    /// <returns>Null when both files exist afterwards, else the message dkms prints.</returns>
    public static async Task<string?> EnsureAsync(string key, string certificate, bool isDefault, Action<string> say, CancellationToken ct = default)
    {
        if (key.StartsWith("pkcs11:", StringComparison.Ordinal))
        {
            // sign-file reads such a key from its token; dkms still wants the certificate on disk.
            return File.Exists(certificate) ? null : CertificateMissing(certificate);
        }

        RemoveLeftovers(key, certificate);
        if (File.Exists(key) && File.Exists(certificate))
        {
            return null;
        }

        if (Refusal(key, certificate, isDefault) is { } refused)
        {
            return Refuse(refused, say);
        }

        await using (await ModuleLock.AcquireAsync(DirectoryOf(key), LockName(key), cancellationToken: ct).ConfigureAwait(false))
        {
            if (File.Exists(key) && File.Exists(certificate))
            {
                return null; // another caller made them while we waited
            }

            if (Refusal(key, certificate, isDefault) is { } now)
            {
                return Refuse(now, say); // another program wrote one half while we waited
            }

            say(Generating);
            return await GenerateAsync(key, certificate, replace: isDefault, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why no pair may be made here: dkms's message, and a reason of ours where dkms would have replaced
    /// the half that exists; null when a pair may be made.
    /// </summary>
    private static (string Problem, string? Reason)? Refusal(string key, string certificate, bool isDefault)
    {
        if (!Directory.Exists(DirectoryOf(key)))
        {
            return (KeyMissing(key), null); // as dkms: openssl cannot write there, and nothing is touched
        }

        if (!Directory.Exists(DirectoryOf(certificate)))
        {
            return (CertificateMissing(certificate), null);
        }

        if (isDefault || (!File.Exists(key) && !File.Exists(certificate)))
        {
            return null;
        }

        var (existing, problem) = File.Exists(key) ? (key, CertificateMissing(certificate)) : (certificate, KeyMissing(key));
        return (problem, $"Not generating a new pair: it would replace {existing}");
    }

    /// <summary>Prints what dkms prints before it tries (and our reason, if any); returns dkms's message.</summary>
    private static string Refuse((string Problem, string? Reason) refusal, Action<string> say)
    {
        say(Generating);
        if (refusal.Reason is not null)
        {
            say(refusal.Reason);
        }

        return refusal.Problem;
    }

    /// <summary>Runs openssl into temporary names beside the targets, then renames them into place.</summary>
    private static async Task<string?> GenerateAsync(string key, string certificate, bool replace, CancellationToken ct)
    {
        var suffix = $"{LeftoverMarker}{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        var newKey = Path.Combine(DirectoryOf(key), "." + Path.GetFileName(key) + suffix);
        var newCert = Path.Combine(DirectoryOf(certificate), "." + Path.GetFileName(certificate) + suffix);
        try
        {
            var result = await ProcessRunner.Default.RunAsync(new ProcessSpec("openssl",
            [
                "req", "-new", "-x509", "-nodes", "-days", "36500", "-subj", Subject, "-newkey", "rsa:2048",
                "-keyout", newKey, "-addext", "extendedKeyUsage=codeSigning", "-outform", "DER", "-out", newCert,
            ])
            { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
            if (result.Succeeded && File.Exists(newKey) && File.Exists(newCert))
            {
                File.SetUnixFileMode(newKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                // Certificate first: a crash between the renames leaves a certificate without its key, which
                // the next call regenerates as a pair (default) or reports (configured).
                // Both flushed before either name changes, and each directory after: a power loss leaves the old
                // pair or the new one, never an empty key under the real name.
                AtomicFiles.FsyncFile(newCert);
                AtomicFiles.FsyncFile(newKey);
                File.Move(newCert, certificate, overwrite: replace);
                Libc.FsyncDirectory(DirectoryOf(certificate));
                File.Move(newKey, key, overwrite: replace);
                Libc.FsyncDirectory(DirectoryOf(key));
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "openssl not found, can't generate key and certificate.";
        }
        catch (IOException)
        {
            // A configured file appeared under our feet (overwrite: false); it is left as it is.
        }
        finally
        {
            File.Delete(newKey);
            File.Delete(newCert);
        }

        return !File.Exists(key) ? KeyMissing(key) : !File.Exists(certificate) ? CertificateMissing(certificate) : null;
    }

    private static string LockName(string key) => "." + Path.GetFileName(key);

    private static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    private static string KeyMissing(string key) => $"Key file {key} not found and can't be generated, modules won't be signed";

    private static string CertificateMissing(string certificate) =>
        $"Certificate file {certificate} not found and can't be generated, modules won't be signed";
}
