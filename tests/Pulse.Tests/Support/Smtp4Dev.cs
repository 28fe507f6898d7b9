using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace Pulse.Tests.Support;

/// <summary>
/// smtp4dev, a real SMTP server, on loopback ports of its own (SMTP, IMAP, POP3 and its web API),
/// keeping messages in memory and relaying none. The tests read what it received through its JSON
/// API, parsed with MimeKit. It is a .NET tool installed outside the repository (<see cref="InstallCommand"/>,
/// which <c>.ci/run</c> runs); without it the fixture is skipped naming that command, or fails when
/// <c>PULSE_REQUIRE_SMTP=1</c> (CI). A child process: only from tests in the Process category.
/// </summary>
public sealed class Smtp4Dev : IDisposable
{
    public const string InstallCommand = "dotnet tool install --tool-path ~/.cache/pulse-tools/smtp4dev Rnwood.Smtp4dev --version 3.15.0";

    readonly Process _process;
    readonly HttpClient _http;

    Smtp4Dev(Process process, int smtpPort, Uri api)
    {
        _process = process;
        SmtpPort = smtpPort;
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }

    /// <summary>The settings that make Pulse send through this server.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:UseStartTls"] = "false",
        ["Email:Smtp:From"] = "Pulse <pulse@pulse.test>",
    };

    /// <summary><c>PULSE_SMTP4DEV</c>, else the tool path of <see cref="InstallCommand"/>.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("PULSE_SMTP4DEV") is { Length: > 0 } path
            ? path
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pulse-tools", "smtp4dev", "smtp4dev");

    static bool Required => Environment.GetEnvironmentVariable("PULSE_REQUIRE_SMTP") == "1";

    public static async Task<Smtp4Dev> StartAsync()
    {
        TestCategories.Require(TestCategories.Process);
        if (!File.Exists(ExecutablePath))
        {
            var message = $"smtp4dev not found at {ExecutablePath}; install it with: {InstallCommand} (or set PULSE_SMTP4DEV).";
            if (Required)
                Assert.Fail(message);
            Assert.Ignore(message);
        }
        var smtp = ApiProcess.FreeLoopbackPort();
        var web = ApiProcess.FreeLoopbackPort();
        var info = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[]
        {
            "--urls", $"http://127.0.0.1:{web}", $"--smtpport={smtp}", $"--imapport={ApiProcess.FreeLoopbackPort()}", $"--pop3port={ApiProcess.FreeLoopbackPort()}",
            "--db=", "--allowremoteconnections-", "--bindaddress=127.0.0.1", "--relaysmtpserver=",
        })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start smtp4dev.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new Smtp4Dev(process, smtp, new Uri($"http://127.0.0.1:{web}"));
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"smtp4dev exited at start-up (code {process.ExitCode}).");
            try
            {
                if ((await server._http.GetAsync("/api/messages")).IsSuccessStatusCode && await server.SmtpListensAsync())
                    return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        server.Dispose();
        throw new TimeoutException("smtp4dev did not start.");
    }

    async Task<bool> SmtpListensAsync()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, SmtpPort);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Every message received so far, oldest first, as sent (headers and parts).</summary>
    public async Task<IReadOnlyList<MimeMessage>> MessagesAsync()
    {
        var page = await _http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=500");
        var ids = page.GetProperty("results").EnumerateArray()
            .OrderBy(m => m.GetProperty("receivedDate").GetDateTimeOffset())
            .Select(m => m.GetProperty("id").GetString()!).ToList();
        var messages = new List<MimeMessage>();
        foreach (var id in ids)
        {
            await using var raw = await _http.GetStreamAsync($"/api/messages/{id}/raw");
            messages.Add(await MimeMessage.LoadAsync(raw));
        }
        return messages;
    }

    /// <summary>Waits (real time, up to a minute) until at least <paramref name="count"/> messages arrived.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var messages = await MessagesAsync();
            if (messages.Count >= count || started.Elapsed > TimeSpan.FromMinutes(1))
                return messages;
            await Task.Delay(200);
        }
    }

    public async Task ClearAsync() => (await _http.DeleteAsync("/api/messages/*")).EnsureSuccessStatusCode();

    public void Dispose()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
