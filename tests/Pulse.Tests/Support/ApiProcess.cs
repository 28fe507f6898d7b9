using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pulse.Tests.Support;

/// <summary>
/// The API as a separate OS process (<c>dotnet Pulse.Api.dll</c>) on a loopback port, for tests
/// that must kill it (SIGKILL) or run its command line for real.
/// </summary>
public sealed class ApiProcess : IDisposable
{
    readonly Process _process;
    readonly System.Text.StringBuilder _output = new();

    ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The OS process id (part of the instance id the API writes into the outbox leases it holds).</summary>
    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>The built API next to the test assembly (the project reference copies it here).</summary>
    public static string ApiDll => Path.Combine(AppContext.BaseDirectory, "Pulse.Api.dll");

    public static async Task<ApiProcess> StartAsync(string databasePath, IDictionary<string, string>? settings = null)
    {
        TestCategories.Require(TestCategories.Process);
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var info = StartInfo(["--urls", address.ToString()], databasePath, settings);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the API.");
        var api = new ApiProcess(process, address);
        process.OutputDataReceived += (_, e) => api.Append(e.Data);
        process.ErrorDataReceived += (_, e) => api.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
                throw new InvalidOperationException("The API exited at start-up:\n" + api.Output);
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                    return api;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        api.Dispose();
        throw new TimeoutException("The API did not become ready:\n" + api.Output);
    }

    /// <summary>Runs a CLI command in its own process; returns exit code and output.</summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(string databasePath, params string[] args) =>
        RunCliAsync(databasePath, null, args);

    /// <summary>
    /// Runs a CLI command with extra settings (e.g. <c>ASPNETCORE_ENVIRONMENT</c>) in its environment.
    /// A process still running after two minutes (a server started by mistake) is killed: exit code -1.
    /// </summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(string databasePath, IDictionary<string, string>? settings, params string[] args)
    {
        TestCategories.Require(TestCategories.Process);
        var info = StartInfo(args, databasePath, settings);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, await stderr + "\n(killed: still running after two minutes)");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreeLoopbackPort() => FreePort();

    static ProcessStartInfo StartInfo(IEnumerable<string> args, string databasePath, IDictionary<string, string>? settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        info.ArgumentList.Add(ApiDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["ConnectionStrings__Pulse"] = $"Data Source={databasePath}";
        info.Environment["Demo__Enabled"] = "false";
        info.Environment["RateLimiting__PerClientPerMinute"] = "0";
        info.Environment["RateLimiting__PerSiteKeyPerSecond"] = "0";
        info.Environment["RateLimiting__PerEndUserPerMinute"] = "0";
        info.Environment["RateLimiting__PerSecretKeyPerSecond"] = "0";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return info;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>SIGKILL: no shutdown hooks, no drain — what a power cut looks like to the process.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: a graceful stop (drains the write queue).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
