using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pulse.Bench;

/// <summary>A server under test in its own process on a loopback port; reports its peak resident memory.</summary>
sealed class ServerProcess : IDisposable
{
    readonly Process _process;
    readonly System.Text.StringBuilder _log = new();

    ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>From process start to the first 200 from <c>/readyz</c>.</summary>
    public TimeSpan Startup { get; private set; }

    public int Pid => _process.Id;

    static string Here => AppContext.BaseDirectory;

    /// <summary>
    /// Starts the Pulse API (Release build next to this runner) on <paramref name="database"/>; with
    /// <paramref name="managementPort"/>, health and metrics are served on that loopback port (<see cref="Management"/>).
    /// </summary>
    public static Task<ServerProcess> StartApiAsync(string database, IDictionary<string, string>? settings = null, int? managementPort = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Pulse"] = $"Data Source={database}",
            ["RateLimiting__PerClientPerMinute"] = "0",
            ["RateLimiting__PerSiteKeyPerSecond"] = "0",
            ["RateLimiting__PerEndUserPerMinute"] = "0",
            ["RateLimiting__PerSecretKeyPerSecond"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
            // No GC or runtime variables: the API runs with the settings of its runtimeconfig, as users run it.
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
            env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        Uri? management = null;
        if (managementPort is { } port)
        {
            management = new Uri($"http://127.0.0.1:{port}");
            env["Operations__ManagementUrl"] = management.ToString();
        }
        return StartAsync(Path.Combine(Here, "Pulse.Api.dll"), [], env, Path.GetDirectoryName(database)!, management);
    }

    /// <summary>The management listener (health, readiness, Prometheus metrics), when one was asked for.</summary>
    public Uri? Management { get; private set; }

    /// <summary>
    /// Bytes the API has allocated on the managed heap since it started (<c>dotnet.gc.heap.total_allocated</c>, scraped
    /// from the management listener), or null without one. Two readings around a pass give the bytes per request:
    /// unlike throughput, that number barely moves with the load of a shared machine.
    /// </summary>
    public async Task<double?> AllocatedBytesAsync()
    {
        if (Management is null)
            return null;
        using var http = new HttpClient { BaseAddress = Management, Timeout = TimeSpan.FromSeconds(10) };
        const string Metric = "dotnet_gc_heap_total_allocated_bytes_total";
        var line = (await http.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(Metric, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Managed bytes allocated per request over a pass: <paramref name="before"/> from <see cref="AllocatedBytesAsync"/>.</summary>
    public async Task<double?> AllocatedPerRequestAsync(double? before, long requests) =>
        before is { } b && await AllocatedBytesAsync() is { } after && requests > 0 ? (after - b) / requests : null;

    /// <summary>Starts the baseline server of this runner; its autocommit baseline writes to <paramref name="postgres"/> when given.</summary>
    public static Task<ServerProcess> StartBaselineAsync(string database, string? postgres = null) =>
        StartAsync(Path.Combine(Here, "Pulse.Bench.dll"), [BaselineServer.Verb, "--db", database, .. postgres is null ? Array.Empty<string>() : ["--pg", postgres]],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }, Path.GetDirectoryName(database)!);

    static async Task<ServerProcess> StartAsync(string dll, string[] args, IDictionary<string, string> env, string workDir, Uri? management = null)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(address.ToString());
        foreach (var (k, v) in env)
            info.Environment[k] = v;

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        var server = new ServerProcess(process, address) { Management = management };
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = management ?? address, Timeout = TimeSpan.FromSeconds(5) };
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited at start-up:\n{server.Log}");
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    server.Startup = clock.Elapsed;
                    return server;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(10);
        }
        process.Kill(true);
        throw new TimeoutException($"{Path.GetFileName(dll)} did not become ready:\n{server.Log}");
    }

    string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    /// <summary>Peak resident set size (VmHWM) of the process so far, in MiB.</summary>
    public double PeakRssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    /// <summary>SIGTERM and wait for a graceful exit; false when it had to be killed after <paramref name="timeout"/>.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
            return true;
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
