using Dkms.Daemon.Authorization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>A fake call context for handler and interceptor unit tests, with optional peer credentials.</summary>
internal sealed class TestServerCallContext : ServerCallContext
{
    private readonly Metadata _responseTrailers = [];
    private readonly Dictionary<object, object> _userState = [];

    public TestServerCallContext(string method, CallerCredentials? caller, CancellationToken cancellationToken = default)
    {
        MethodCore = method;
        CancellationTokenCore = cancellationToken;
        var http = new DefaultHttpContext();
        http.Features.Set<IPeerCredentialsFeature>(new PeerCredentialsFeature(caller));

        // ServerCallContext.GetHttpContext() reads this key for contexts that are not Kestrel's own.
        _userState["__HttpContext"] = http;
    }

    protected override string MethodCore { get; }

    protected override string HostCore => "localhost";

    protected override string PeerCore => "unix:test";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => [];

    protected override CancellationToken CancellationTokenCore { get; }

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
