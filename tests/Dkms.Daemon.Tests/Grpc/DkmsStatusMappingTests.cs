using Dkms.Core.Errors;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dkms.Daemon.Tests.Grpc;

public sealed class DkmsStatusMappingTests
{
    [Theory]
    [InlineData(DkmsErrorKind.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData(DkmsErrorKind.NotFound, StatusCode.NotFound)]
    [InlineData(DkmsErrorKind.AlreadyExists, StatusCode.AlreadyExists)]
    [InlineData(DkmsErrorKind.FailedPrecondition, StatusCode.FailedPrecondition)]
    [InlineData(DkmsErrorKind.PermissionDenied, StatusCode.PermissionDenied)]
    [InlineData(DkmsErrorKind.BadConfiguration, StatusCode.FailedPrecondition)]
    [InlineData(DkmsErrorKind.Excluded, StatusCode.FailedPrecondition)]
    [InlineData(DkmsErrorKind.ExternalFailure, StatusCode.Unknown)]
    [InlineData(DkmsErrorKind.Cancelled, StatusCode.Cancelled)]
    public void ToStatusCode_EachKind_MapsToItsCode(DkmsErrorKind kind, StatusCode expected) =>
        Assert.Equal(expected, DkmsStatusMapping.ToStatusCode(kind));

    [Fact]
    public void ToStatusCode_EveryKind_IsMapped() =>
        Assert.All(Enum.GetValues<DkmsErrorKind>(), k => Assert.NotEqual(StatusCode.OK, DkmsStatusMapping.ToStatusCode(k)));

    [Fact]
    public void ToRpcException_NotAdded_CarriesExitCodeKindAndLines()
    {
        var e = new DkmsException(DkmsErrorKind.NotFound, 3, "The module/version combo: m/1 is not located in the DKMS tree.", "second");

        var rpc = DkmsStatusMapping.ToRpcException(e);

        Assert.Equal(StatusCode.NotFound, rpc.StatusCode);
        Assert.Equal("3", rpc.Trailers.GetValue(DkmsStatusMapping.ExitCodeTrailer));
        Assert.Equal("NotFound", rpc.Trailers.GetValue(DkmsStatusMapping.ErrorKindTrailer));
        Assert.Null(rpc.Trailers.GetValue(DkmsStatusMapping.WarningTrailer));
        Assert.Equal("The module/version combo: m/1 is not located in the DKMS tree.\nsecond", rpc.Status.Detail);
    }

    [Fact]
    public void ToRpcException_Warning_SetsWarningTrailer()
    {
        var e = new DkmsException(DkmsErrorKind.Excluded, 77, "excluded") { IsWarning = true };

        Assert.Equal("1", DkmsStatusMapping.ToRpcException(e).Trailers.GetValue(DkmsStatusMapping.WarningTrailer));
    }

    [Fact]
    public async Task UnaryServerHandler_MethodThrowsDkmsException_RpcExceptionWithExitCode()
    {
        var interceptor = new DkmsExceptionInterceptor(NullLogger<DkmsExceptionInterceptor>.Instance, new MalformedRequests(TimeProvider.System, NullLogger<MalformedRequests>.Instance));
        var context = new TestServerCallContext("/dkms.v1.Dkms/Status", null);

        var e = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("x", context,
            (_, _) => throw new DkmsException(DkmsErrorKind.InvalidArgument, 5, "bad"))).WithTimeout();

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("5", e.Trailers.GetValue(DkmsStatusMapping.ExitCodeTrailer));
    }

    [Fact]
    public async Task UnaryServerHandler_OtherException_PassesThrough()
    {
        var interceptor = new DkmsExceptionInterceptor(NullLogger<DkmsExceptionInterceptor>.Instance, new MalformedRequests(TimeProvider.System, NullLogger<MalformedRequests>.Instance));
        var context = new TestServerCallContext("/dkms.v1.Dkms/Status", null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => interceptor.UnaryServerHandler<string, string>("x", context,
            (_, _) => throw new InvalidOperationException())).WithTimeout();
    }
}
