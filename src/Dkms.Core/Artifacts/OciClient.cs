using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dkms.Core.Artifacts;

/// <summary>
/// The few calls of the OCI distribution API dkmsd needs, over HttpClient. No policy: every body is hashed against
/// the digest asked for (a registry's <c>Docker-Content-Digest</c> is never trusted) and every failure is a
/// <see cref="RegistryException"/>, except a request past its deadline, which is cancelled (the caller tells it
/// from its own cancellation).
/// </summary>
internal sealed partial class OciClient : IDisposable
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";

    /// <summary>How many times a GET or HEAD is sent when the registry answers 5xx or the connection breaks.</summary>
    public const int Tries = 3;

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly RegistryAuth _auth;
    private readonly TimeSpan _timeout;
    private AuthenticationHeaderValue? _authorization;

    public OciClient(ArtifactSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, settings.Timeout.TotalSeconds)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true, // HttpClient drops Authorization on a redirect, as the spec asks
            UseProxy = false,
        };
        if (settings.CaBundle is { } ca)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            // These CAs are the only trust anchors for this registry (and its token service): this handler is this
            // registry's alone. Revocation is not checked, as HttpClient's default does not for the system CAs either.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _auth = new RegistryAuth(settings.Auth, settings.Registry);
        _timeout = settings.Timeout;
        var b = new UriBuilder(settings.Registry) { Path = "/" };
        BaseUri = b.Uri;
        Host = settings.Registry.IsDefaultPort ? settings.Registry.Host : $"{settings.Registry.Host}:{settings.Registry.Port}";
    }

    /// <summary>scheme://host[:port]/ of the registry.</summary>
    public Uri BaseUri { get; }

    /// <summary>host[:port], as docker references name the registry.</summary>
    public string Host { get; }

    /// <summary>A manifest by tag or digest, or null when the registry has none (404).</summary>
    public async Task<(byte[] Body, string MediaType)?> GetManifestAsync(string repo, string reference, string accept, int maxBytes,
        CancellationToken ct)
    {
        using var cts = Deadline(ct);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url(repo, "manifests", reference))
        {
            Headers = { Accept = { MediaTypeWithQualityHeaderValue.Parse(accept) } },
        }, cts.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Require(response, "GET manifest " + reference);
        var body = await ReadLimitedAsync(response, maxBytes, cts.Token).ConfigureAwait(false);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && Digests.Of(body) != reference)
        {
            throw new RegistryException($"The manifest served for {reference} does not hash to it.");
        }

        return (body, response.Content.Headers.ContentType?.MediaType ?? string.Empty);
    }

    /// <summary>Stores a manifest under a tag or its digest; returns its digest (of the bytes sent).</summary>
    public async Task<string> PutManifestAsync(string repo, string reference, byte[] body, string mediaType, CancellationToken ct)
    {
        using var cts = Deadline(ct);
        using var response = await SendAsync(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Url(repo, "manifests", reference)) { Content = content };
        }, cts.Token).ConfigureAwait(false);
        Require(response, "PUT manifest " + reference);
        return Digests.Of(body);
    }

    public async Task<bool> BlobExistsAsync(string repo, string digest, CancellationToken ct)
    {
        using var cts = Deadline(ct);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Url(repo, "blobs", digest)), cts.Token)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        Require(response, "HEAD blob " + digest);
        return true;
    }

    /// <summary>A blob of at most <paramref name="maxBytes"/>, checked against its digest and size.</summary>
    public async Task<byte[]> GetBlobAsync(string repo, string digest, long size, int maxBytes, CancellationToken ct)
    {
        if (size < 0 || size > maxBytes)
        {
            throw new RegistryException($"The blob {digest} is announced at {size} bytes (at most {maxBytes} expected).");
        }

        using var target = new MemoryStream();
        await GetBlobAsync(repo, digest, size, target, ct).ConfigureAwait(false);
        return target.ToArray();
    }

    /// <summary>Streams a blob into <paramref name="target"/>, refusing more or fewer bytes than <paramref name="size"/> or another hash.</summary>
    public async Task GetBlobAsync(string repo, string digest, long size, Stream target, CancellationToken ct)
    {
        using var cts = Deadline(ct);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url(repo, "blobs", digest)), cts.Token)
            .ConfigureAwait(false);
        Require(response, "GET blob " + digest);
        if (response.Content.Headers.ContentLength is { } announced && announced != size)
        {
            throw new RegistryException($"The blob {digest} is served at {announced} bytes, the manifest says {size}.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            int n;
            while ((n = await body.ReadAsync(buffer, cts.Token).ConfigureAwait(false)) > 0)
            {
                total += n;
                if (total > size)
                {
                    throw new RegistryException($"The blob {digest} is longer than its {size} bytes.");
                }

                hash.AppendData(buffer, 0, n);
                await target.WriteAsync(buffer.AsMemory(0, n), cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException($"The blob {digest} ended after {total} of {size} bytes: {e.Message}", e);
        }

        if (total != size)
        {
            throw new RegistryException($"The blob {digest} ended after {total} of {size} bytes.");
        }

        if ("sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()) != digest)
        {
            throw new RegistryException($"The blob served for {digest} does not hash to it.");
        }
    }

    /// <summary>Uploads a blob unless the registry has it: POST opens a session, one PUT closes it with the digest.</summary>
    public async Task PushBlobAsync(string repo, string digest, Func<Stream> open, long length, CancellationToken ct)
    {
        if (await BlobExistsAsync(repo, digest, ct).ConfigureAwait(false))
        {
            return;
        }

        Uri location;
        using (var cts = Deadline(ct))
        {
            using var post = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Url(repo, "blobs", "uploads/"))
            {
                Content = new ByteArrayContent([]),
            }, cts.Token).ConfigureAwait(false);
            if (post.StatusCode != HttpStatusCode.Accepted || post.Headers.Location is not { } loc)
            {
                throw new RegistryException($"Opening an upload answered {(int)post.StatusCode} without a session.");
            }

            location = loc.IsAbsoluteUri ? loc : new Uri(BaseUri, loc);
        }

        var put = new UriBuilder(location);
        put.Query = (put.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : string.Empty) + "digest=" + Uri.EscapeDataString(digest);
        using (var cts = new CancellationTokenSource(_timeout + TimeSpan.FromSeconds(length / (1024.0 * 1024.0))))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cts.Token, ct))
        {
            using var response = await SendAsync(() =>
            {
                var content = new StreamContent(open());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = length;
                return new HttpRequestMessage(HttpMethod.Put, put.Uri) { Content = content };
            }, linked.Token).ConfigureAwait(false);
            Require(response, "PUT blob " + digest);
        }
    }

    internal static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int maxBytes, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new RegistryException($"The registry's answer is {response.Content.Headers.ContentLength} bytes (at most {maxBytes} expected).");
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var target = new MemoryStream();
            var buffer = new byte[16384];
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (target.Length + n > maxBytes)
                {
                    throw new RegistryException($"The registry's answer is longer than {maxBytes} bytes.");
                }

                target.Write(buffer, 0, n);
            }

            return target.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException("The registry's answer was cut short: " + e.Message, e);
        }
    }

    public void Dispose() => _http.Dispose();

    private CancellationTokenSource Deadline(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        return cts;
    }

    private Uri Url(string repo, string kind, string reference) => new(BaseUri, $"v2/{repo}/{kind}/{reference}");

    /// <summary>
    /// Sends, answering one 401 challenge with the configured credentials. A GET or HEAD that meets a 5xx, 408, 429 or a
    /// reset connection is tried again (<see cref="Tries"/> in all, after a short backoff) within the same deadline; transport
    /// failures become <see cref="RegistryException"/>s that say what went wrong (unreachable, untrusted certificate, 401).
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        HttpMethod? method = null;
        HttpRequestMessage Make()
        {
            var request = make();
            method = request.Method;
            return request;
        }

        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendAuthorizedAsync(Make, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (attempt < Tries && IsRetriable(e) && IsIdempotent(method))
            {
                await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(e);
            }

            if (attempt < Tries && (int)response.StatusCode is 408 or 429 or 500 or 502 or 503 or 504 && IsIdempotent(method))
            {
                // A Retry-After of a few seconds is honoured; the request's deadline bounds it either way.
                var wait = response.Headers.RetryAfter?.Delta is { } after && after <= MaxRetryAfter ? after : Backoff(attempt);
                response.Dispose();
                await Task.Delay(wait, ct).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    private async Task<HttpResponseMessage> SendAuthorizedAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = make();
            request.Headers.Authorization = _authorization;
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
            response.Dispose();
            if (attempt > 0)
            {
                throw RegistryException.Transport($"{Host} answered 401 Unauthorized to artifact_auth's credentials for it.");
            }

            _authorization = challenge is null ? null : await _auth.AnswerAsync(_http, challenge, ct).ConfigureAwait(false);
            if (_authorization is null)
            {
                throw RegistryException.Transport($"{Host} answered 401 Unauthorized: it wants credentials ({challenge?.Scheme ?? "no challenge"}) "
                    + "and artifact_auth has none for it.");
            }
        }
    }

    private static bool IsIdempotent(HttpMethod? method) => method == HttpMethod.Get || method == HttpMethod.Head;

    /// <summary>
    /// A reset or dropped connection may be a proxy or a busy registry; a refused one is a registry that is down (each module
    /// would pay the backoff for nothing), and a certificate problem is not retried.
    /// </summary>
    private static bool IsRetriable(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.Unknown
        && e.InnerException is not AuthenticationException
        && e.InnerException is not System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };

    /// <summary>0.5 s, then 1 s, with up to 25 % jitter (a fleet that met one failure does not come back in step).</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(500 * (1 << (attempt - 1)) * (1 + Random.Shared.NextDouble() / 4));

    private RegistryException Unreachable(HttpRequestException e) =>
        e.InnerException is AuthenticationException auth
            ? RegistryException.Transport($"The TLS certificate of {Host} is not trusted ({auth.Message}"
                + (auth.InnerException is { } why ? " " + why.Message : string.Empty)
                + "); artifact_ca names the CA to trust for it.", e)
            : RegistryException.Transport($"The registry {Host} cannot be reached: {e.Message}", e);

    private static void Require(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var message = $"{what} answered {(int)response.StatusCode} {response.ReasonPhrase}.";
            // 5xx after the retries, or refused access: the registry, not this artifact.
            throw (int)response.StatusCode is >= 500 or 401 or 403 or 429 ? RegistryException.Transport(message) : new RegistryException(message);
        }
    }
}
