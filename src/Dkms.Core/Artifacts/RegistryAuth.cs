using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Dkms.Core.Artifacts;

/// <summary>
/// Credentials for a registry: Basic from a docker config.json's <c>auths</c>, or a Bearer token fetched from the
/// realm a 401 challenge names (Docker's token protocol), cached until it expires.
/// </summary>
internal sealed class RegistryAuth
{
    private readonly string? _basic;
    private readonly Dictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    public RegistryAuth(string? configJson, Uri registry)
    {
        _basic = configJson is null ? null : FindBasic(configJson, registry);
    }

    /// <summary>The header to retry with after <paramref name="challenge"/>, or null when there is none.</summary>
    public async Task<AuthenticationHeaderValue?> AnswerAsync(HttpClient http, AuthenticationHeaderValue challenge, CancellationToken ct)
    {
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return _basic is null ? null : new AuthenticationHeaderValue("Basic", _basic);
        }

        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var p = ParseChallenge(challenge.Parameter ?? string.Empty);
        if (!p.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryException("The registry's Bearer challenge names no usable realm.");
        }

        var query = new StringBuilder();
        if (p.TryGetValue("service", out var service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        if (p.TryGetValue("scope", out var scope))
        {
            query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(Uri.EscapeDataString(scope));
        }

        var cacheKey = realm + "?" + query;
        if (_tokens.TryGetValue(cacheKey, out var cached) && cached.Until > DateTimeOffset.UtcNow)
        {
            return new AuthenticationHeaderValue("Bearer", cached.Token);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = query.ToString() }.Uri);
        if (_basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basic);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw RegistryException.Transport($"The token service {realmUri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}.");
        }

        var body = await OciClient.ReadLimitedAsync(response, 64 * 1024, ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(body);
        var token = doc.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : doc.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw new RegistryException("The token service answered without a token.");
        }

        var seconds = doc.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? s : 60;
        _tokens[cacheKey] = (token, DateTimeOffset.UtcNow.AddSeconds(Math.Max(5, seconds - 5)));
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The base64 <c>user:password</c> for the registry's host from a docker config.json, or null.</summary>
    internal static string? FindBasic(string configJson, Uri registry)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(configJson));
        if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var host = registry.IsDefaultPort ? registry.Host : $"{registry.Host}:{registry.Port}";
        foreach (var entry in auths.EnumerateObject())
        {
            var name = entry.Name;
            var schemeEnd = name.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd >= 0)
            {
                name = name[(schemeEnd + 3)..];
            }

            name = name.Split('/')[0];
            if (!name.Equals(host, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } b64)
            {
                return b64;
            }

            if (entry.Value.TryGetProperty("username", out var u) && entry.Value.TryGetProperty("password", out var pw))
            {
                return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{u.GetString()}:{pw.GetString()}"));
            }
        }

        return null;
    }

    /// <summary>Parses <c>k="v",k2="v,2"</c> (values may hold commas).</summary>
    internal static Dictionary<string, string> ParseChallenge(string s)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == ',' || char.IsWhiteSpace(s[i])))
            {
                i++;
            }

            var eq = s.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var key = s[i..eq].Trim();
            i = eq + 1;
            var value = new StringBuilder();
            if (i < s.Length && s[i] == '"')
            {
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                    }

                    value.Append(s[i++]);
                }

                i++;
            }
            else
            {
                while (i < s.Length && s[i] != ',')
                {
                    value.Append(s[i++]);
                }
            }

            result[key] = value.ToString().Trim();
        }

        return result;
    }
}
