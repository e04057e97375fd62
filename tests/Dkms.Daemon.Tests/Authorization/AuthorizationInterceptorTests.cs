using Dkms.Core.Errors;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Options;
using Dkms.Daemon.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dkms.Daemon.Tests.Authorization;

public sealed class AuthorizationInterceptorTests
{
    private static readonly CallerCredentials Nobody = new(200, 65534, 65534, []);

    private static AuthorizationInterceptor Interceptor() =>
        new(new AuthorizationPolicy(Microsoft.Extensions.Options.Options.Create(new DaemonOptions())), NullLogger<AuthorizationInterceptor>.Instance);

    [Fact]
    public async Task UnaryServerHandler_NobodyCallsAction_ThrowsBeforeTheMethod()
    {
        var called = false;
        var context = new TestServerCallContext("/dkms.v1.Dkms/CancelJob", Nobody);

        var e = await Assert.ThrowsAsync<DkmsException>(() => Interceptor().UnaryServerHandler<string, string>("x", context, (_, _) =>
        {
            called = true;
            return Task.FromResult("y");
        })).WithTimeout();

        Assert.False(called);
        Assert.Equal(DkmsErrorKind.PermissionDenied, e.Kind);
        Assert.Equal(1, e.ExitCode);
    }

    [Fact]
    public async Task UnaryServerHandler_NobodyCallsStatus_RunsTheMethod()
    {
        var context = new TestServerCallContext("/dkms.v1.Dkms/Status", Nobody);

        var result = await Interceptor().UnaryServerHandler<string, string>("x", context, (_, _) => Task.FromResult("y")).WithTimeout();

        Assert.Equal("y", result);
    }

    [Fact]
    public async Task Pipeline_NobodyCallsUnimplementedAction_PermissionDeniedWithExitCode()
    {
        // Outer exception interceptor, inner authorization, then a method the daemon does not implement yet.
        var context = new TestServerCallContext("/dkms.v1.Dkms/Build", Nobody);
        var outer = new DkmsExceptionInterceptor(NullLogger<DkmsExceptionInterceptor>.Instance, new MalformedRequests(TimeProvider.System, NullLogger<MalformedRequests>.Instance));

        var e = await Assert.ThrowsAsync<RpcException>(() => outer.ServerStreamingServerHandler<string, string>("x", null!, context,
            (r, s, c) => Interceptor().ServerStreamingServerHandler(r, s, c,
                (_, _, _) => throw new RpcException(new Status(StatusCode.Unimplemented, "not yet"))))).WithTimeout();

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("1", e.Trailers.GetValue(DkmsStatusMapping.ExitCodeTrailer));
        Assert.Equal(AuthorizationInterceptor.DeniedMessage, e.Status.Detail);
    }
}
