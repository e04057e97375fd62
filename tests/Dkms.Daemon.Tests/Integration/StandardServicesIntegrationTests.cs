using Dkms.Daemon.Tests.Infrastructure;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>grpc.health.v1 and server reflection on the real dkmsd, as root and as nobody.</summary>
public sealed class StandardServicesIntegrationTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    private async Task<DkmsdProcess> StartAsync()
    {
        var daemon = DkmsdProcess.Start(_trees.DaemonArgs);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    [Theory]
    [InlineData("")]
    [InlineData("dkms.v1.Dkms")]
    public async Task HealthCheck_RunningDaemon_Serving(string service)
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var response = await new HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service }, deadline: Deadline);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            new HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task HealthWatch_RunningDaemon_FirstMessageServing()
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        using var cancel = new CancellationTokenSource(TaskTimeouts.Default);

        using var call = new HealthClient(channel).Watch(new HealthCheckRequest(), cancellationToken: cancel.Token);

        Assert.True(await call.ResponseStream.MoveNext(cancel.Token).WithTimeout());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_EveryServiceMapped()
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var responses = await ReflectAsync(channel, new ServerReflectionRequest { ListServices = string.Empty });

        string[] expected = ["dkms.v1.Dkms", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
        Assert.Equal(expected, responses.Single().ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reflection_FileContainingDkmsService_DescribesTheContract()
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var responses = await ReflectAsync(channel, new ServerReflectionRequest { FileContainingSymbol = "dkms.v1.Dkms" });

        // The file itself first, then its dependencies (google/protobuf/timestamp.proto).
        var files = responses.Single().FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        var contract = files.Single(f => f.Package == "dkms.v1");
        Assert.Equal("dkms/v1/dkms.proto", contract.Name);
        Assert.Contains(contract.Service.Single(s => s.Name == "Dkms").Method, m => m.Name == "Status");
    }

    [Fact]
    public async Task StandardServices_AsNobody_Allowed()
    {
        await using var daemon = await StartAsync();

        Assert.Equal("OK Serving", await AsNobodyAsync("Health"));
        var reflection = await AsNobodyAsync("Reflection");
        Assert.StartsWith("OK ", reflection, StringComparison.Ordinal);
        Assert.Contains("dkms.v1.Dkms", reflection.Split(' ', 2)[1].Split(','));
        Assert.DoesNotContain("Denied", daemon.Output, StringComparison.Ordinal);
    }

    private static async Task<List<ServerReflectionResponse>> ReflectAsync(GrpcChannel channel, ServerReflectionRequest request)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: Deadline);
        await call.RequestStream.WriteAsync(request).WithTimeout();
        await call.RequestStream.CompleteAsync().WithTimeout();
        var responses = new List<ServerReflectionResponse>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout())
        {
            Assert.NotEqual(ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, call.ResponseStream.Current.MessageResponseCase);
            responses.Add(call.ResponseStream.Current);
        }

        return responses;
    }

    /// <summary>Runs the test client as uid/gid 65534 with no supplementary groups.</summary>
    private async Task<string> AsNobodyAsync(string method)
    {
        var r = await Processes.RunAsync("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", Processes.Binary("dkmsd-testclient"), _trees.Socket, method],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_CLI_HOME"] = "/tmp" });
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.TrimEnd('\n');
    }
}
