using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// What an authenticated or https registry needs, made in the test: an htpasswd file with bcrypt entries (through the
/// system's libcrypt, as <c>htpasswd -B</c> would write them), a CA and a server certificate for 127.0.0.1, and a docker
/// config.json.
/// </summary>
internal static partial class RegistrySecrets
{
    /// <summary>Writes an htpasswd file with one bcrypt entry (<c>$2y$</c>, cost 5: the test's time, not a password's strength).</summary>
    public static string Htpasswd(string path, string user, string password)
    {
        const string alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var salt = new string(RandomNumberGenerator.GetItems<char>(alphabet, 21)) + "."; // the 22nd carries 2 bits: '.' is 0
        var hash = Marshal.PtrToStringUTF8(Crypt(password, "$2y$05$" + salt));
        if (hash is null || !hash.StartsWith("$2y$05$", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("libcrypt made no bcrypt hash: " + hash);
        }

        File.WriteAllText(path, $"{user}:{hash}\n");
        return path;
    }

    /// <summary>A docker config.json for <paramref name="host"/>: the <c>auth</c> field (base64 user:password) or username and password.</summary>
    public static string DockerConfig(string path, string host, string user, string password, bool asAuthField)
    {
        var entry = asAuthField
            ? $"{{\"auth\": \"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))}\"}}"
            : $"{{\"username\": \"{user}\", \"password\": \"{password}\"}}";
        File.WriteAllText(path, $"{{\"auths\": {{\"{host}\": {entry}, \"other.example:5000\": {{\"auth\": \"eDp5\"}}}}}}\n");
        return path;
    }

    /// <summary>A CA (<c>ca.pem</c>) and a certificate it issued for 127.0.0.1 (<c>server.pem</c>, <c>server.key</c>) in <paramref name="dir"/>.</summary>
    public static (string Ca, string Certificate, string Key) Tls(string dir, string name = "ca")
    {
        Directory.CreateDirectory(dir);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=dkmsd test {name}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        var paths = (Path.Combine(dir, name + ".pem"), Path.Combine(dir, "server.pem"), Path.Combine(dir, "server.key"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item2, server.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item3, serverKey.ExportECPrivateKeyPem() + "\n");
        return paths;
    }

    [LibraryImport("libcrypt.so.1", EntryPoint = "crypt", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Crypt(string key, string setting);
}
