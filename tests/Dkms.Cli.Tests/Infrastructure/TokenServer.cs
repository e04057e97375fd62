using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Dkms.Tests.Shared;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// Docker's token service for a token-auth docker-registry: checks Basic credentials, then issues an ES256 JWT (x5c: its
/// self-signed certificate, which the registry trusts through <see cref="RootCertBundle"/>) granting the scopes asked.
/// The registry is the real one and verifies these tokens itself.
/// </summary>
internal sealed class TokenServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private readonly int _port;

    public TokenServer(string dir, string user, string password)
    {
        (_user, _password) = (user, password);
        var request = new CertificateRequest("CN=dkmsd test token signer", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        RootCertBundle = Path.Combine(dir, "token-signer.pem");
        File.WriteAllText(RootCertBundle, _certificate.ExportCertificatePem() + "\n");
        _port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Realm => $"http://127.0.0.1:{_port}/token";

    public string RootCertBundle { get; }

    /// <summary>Tokens issued, and requests refused (bad or missing credentials).</summary>
    public int Issued { get; private set; }

    public int Refused { get; private set; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
            if (context.Request.Headers["Authorization"] != expected)
            {
                Refused++;
                response.StatusCode = 401;
                continue;
            }

            var scopes = context.Request.QueryString.GetValues("scope") ?? [];
            var token = Token(scopes.SelectMany(s => s.Split(' ')).ToList());
            Issued++;
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object> { ["token"] = token, ["expires_in"] = 300 }));
            response.ContentType = "application/json";
            await response.OutputStream.WriteAsync(body);
        }
    }

    /// <summary>A JWT granting each <c>repository:name:actions</c> scope what it asks.</summary>
    private string Token(List<string> scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var access = scopes.Select(s => s.Split(':')).Where(p => p.Length == 3)
            .Select(p => new Dictionary<string, object> { ["type"] = p[0], ["name"] = p[1], ["actions"] = p[2].Split(',') }).ToList();
        var header = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["typ"] = "JWT", ["alg"] = "ES256", ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        });
        var claims = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = RegistryServer.TokenIssuer, ["sub"] = _user, ["aud"] = RegistryServer.TokenService,
            ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now, ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        });
        var signed = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        return signed + "." + Base64Url(_key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256)); // r||s, as JWS wants
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Close();
        _key.Dispose();
        _certificate.Dispose();
    }
}
