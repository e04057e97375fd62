using Dkms.Daemon.Authorization;
using Dkms.Daemon.Options;

namespace Dkms.Daemon.Tests.Authorization;

public sealed class AuthorizationPolicyTests
{
    private static readonly CallerCredentials Root = new(100, 0, 0, [0]);
    private static readonly CallerCredentials Nobody = new(200, 65534, 65534, [65534]);

    private static AuthorizationPolicy Policy(uint? adminGid = null) => new(Microsoft.Extensions.Options.Options.Create(new DaemonOptions { AdminGid = adminGid }));

    [Fact]
    public void ReadOnlyMethods_FromProto_AreExactlyTheReads()
    {
        string[] expected = ["GetInfo", "Status", "ListJobs", "GetJob", "Watch", "StreamLog"];

        Assert.Equal(expected.Select(m => "/dkms.v1.Dkms/" + m).Order(), AuthorizationPolicy.ReadOnlyMethods.Order());
    }

    [Theory]
    [InlineData("Status")]
    [InlineData("GetInfo")]
    [InlineData("Watch")]
    public void IsAllowed_NobodyCallsRead_Allowed(string method) =>
        Assert.True(Policy().IsAllowed(Nobody, "/dkms.v1.Dkms/" + method));

    [Theory]
    [InlineData("Build")]
    [InlineData("Add")]
    [InlineData("CancelJob")]
    [InlineData("GenerateMok")]
    [InlineData("RemoveKernel")]
    [InlineData("Preflight")] // evaluates dkms.conf, pulls into the cache and dry-builds: a build's rights
    public void IsAllowed_NobodyCallsAction_Denied(string method) =>
        Assert.False(Policy().IsAllowed(Nobody, "/dkms.v1.Dkms/" + method));

    [Fact]
    public void IsAllowed_RootCallsAction_Allowed() => Assert.True(Policy().IsAllowed(Root, "/dkms.v1.Dkms/Install"));

    [Fact]
    public void IsAllowed_AdminGroupAsSupplementaryGroup_Allowed()
    {
        var member = new CallerCredentials(300, 1000, 1000, [1000, 27]);

        Assert.True(Policy(adminGid: 27).IsAllowed(member, "/dkms.v1.Dkms/Build"));
    }

    [Fact]
    public void IsAllowed_AdminGroupAsPrimaryGroup_Allowed()
    {
        var member = new CallerCredentials(300, 1000, 27, []);

        Assert.True(Policy(adminGid: 27).IsAllowed(member, "/dkms.v1.Dkms/Build"));
    }

    [Fact]
    public void IsAllowed_NoAdminGroupConfigured_GroupMemberDenied()
    {
        var member = new CallerCredentials(300, 1000, 27, [27]);

        Assert.False(Policy().IsAllowed(member, "/dkms.v1.Dkms/Build"));
    }

    [Fact]
    public void IsAllowed_UnknownCallerReads_AllowedButActionDenied()
    {
        Assert.True(Policy().IsAllowed(null, "/dkms.v1.Dkms/Status"));
        Assert.False(Policy().IsAllowed(null, "/dkms.v1.Dkms/Build"));
    }

    [Fact]
    public void IsAllowed_MethodOutsideTheContract_NeedsRoot()
    {
        Assert.False(Policy().IsAllowed(Nobody, "/grpc.channelz.v1.Channelz/GetServers"));
        Assert.True(Policy().IsAllowed(Root, "/grpc.channelz.v1.Channelz/GetServers"));
    }

    [Fact]
    public void StandardServiceMethods_FromDescriptors_AreHealthAndReflection()
    {
        string[] expected =
        [
            "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), AuthorizationPolicy.StandardServiceMethods.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/grpc.health.v1.Health/Check")]
    [InlineData("/grpc.health.v1.Health/Watch")]
    [InlineData("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")]
    [InlineData("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")]
    public void IsAllowed_NobodyOrUnknownCallsStandardService_Allowed(string method)
    {
        Assert.True(Policy().IsAllowed(Nobody, method));
        Assert.True(Policy().IsAllowed(null, method));
    }
}
