using System.Net.Sockets;

namespace Dkms.Daemon.TestClient;

/// <summary>Idle connections held open, as a user flooding the socket would.</summary>
internal static class Hold
{
    public static async Task<int> RunAsync(string socketPath, int count, int seconds)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                sockets.Add(s);
            }
            catch (SocketException)
            {
                s.Dispose();
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Report(sockets);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Report(sockets);
        foreach (var s in sockets)
        {
            s.Dispose();
        }

        return 0;
    }

    /// <summary>A connection the daemon closed reads as end of stream.</summary>
    private static void Report(List<Socket> sockets)
    {
        var closed = sockets.Count(s => s.Poll(0, SelectMode.SelectRead) && s.Available == 0);
        Console.WriteLine($"open={sockets.Count - closed} closed={closed}");
        Console.Out.Flush();
    }
}
