using System.Net.Sockets;

namespace Dkms.Daemon.TestClient;

/// <summary>Idle connections held open, as a user flooding the socket would.</summary>
internal static class Hold
{
    public static async Task<int> RunAsync(string socketPath, int count, int seconds)
    {
        var sockets = new List<Socket>();
        var failed = 0;
        for (var i = 0; i < count; i++)
        {
            if (sockets.Count >= 512 && i % 256 == 0)
            {
                // A big flood: let go of what the daemon closed, so this process's own descriptors do not run out.
                Prune(sockets);
            }

            Socket? s = null;
            try
            {
                s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                sockets.Add(s);
            }
            catch (SocketException)
            {
                s?.Dispose();
                failed++;
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Report(sockets, failed);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Report(sockets, failed);
        foreach (var s in sockets)
        {
            s.Dispose();
        }

        return 0;
    }

    private static int _pruned;

    /// <summary>A connection the daemon closed reads as end of stream.</summary>
    private static bool Closed(Socket s) => s.Poll(0, SelectMode.SelectRead) && s.Available == 0;

    private static void Prune(List<Socket> sockets)
    {
        foreach (var s in sockets.Where(Closed).ToList())
        {
            sockets.Remove(s);
            s.Dispose();
            _pruned++;
        }
    }

    private static void Report(List<Socket> sockets, int failed)
    {
        var closed = sockets.Count(Closed) + _pruned;
        var open = sockets.Count - (closed - _pruned);
        Console.WriteLine(failed == 0 ? $"open={open} closed={closed}" : $"open={open} closed={closed} failed={failed}");
        Console.Out.Flush();
    }
}
