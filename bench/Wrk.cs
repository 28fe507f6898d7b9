using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pulse.Bench;

/// <summary>What wrk measured.</summary>
sealed record WrkResult(double RequestsPerSecond, long Requests, long Non2xx, long Errors, double P50Ms, double P99Ms, string Raw)
{
    public long Succeeded => Requests - Non2xx;
}

/// <summary>Runs Debian's wrk (installing it when missing) against a loopback URL.</summary>
static partial class Wrk
{
    public static async Task EnsureInstalledAsync()
    {
        if (File.Exists("/usr/bin/wrk"))
            return;
        Console.WriteLine("bench: wrk is missing; installing it with apt-get (Debian package 'wrk')");
        await Sh("apt-get", "update", "-qq");
        await Sh("apt-get", "install", "-y", "-qq", "wrk");
        if (!File.Exists("/usr/bin/wrk"))
            throw new InvalidOperationException("wrk is not installed and could not be installed: run 'apt-get install wrk'.");
    }

    static async Task Sh(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(info)!;
        await p.WaitForExitAsync();
    }

    /// <summary>
    /// Runs wrk with a Lua script that POSTs the lines of <paramref name="bodiesFile"/> (one JSON body
    /// each), spread over the threads so no two requests send the same line until all are used.
    /// </summary>
    public static async Task<WrkResult> PostLinesAsync(Uri url, string bodiesFile, int threads, int connections, TimeSpan duration,
        IDictionary<string, string>? headers = null)
    {
        var script = Path.Combine(Path.GetDirectoryName(bodiesFile)!, $"wrk-{Guid.NewGuid():n}.lua");
        var headerLines = string.Join("\n", (headers ?? new Dictionary<string, string>())
            .Select(h => $"wrk.headers[\"{h.Key}\"] = \"{h.Value}\""));
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            {{headerLines}}
            local counter = 0
            function setup(thread)
              thread:set("id", counter)
              counter = counter + 1
            end
            local bodies = {}
            local i = 0
            function init(args)
              local n = 0
              for line in io.lines(args[1]) do
                if n % tonumber(args[2]) == id then bodies[#bodies + 1] = line end
                n = n + 1
              end
            end
            function request()
              i = i % #bodies + 1
              return wrk.format(nil, nil, nil, bodies[i])
            end
            """);
        var args = new List<string>
        {
            "-t", threads.ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)duration.TotalSeconds}s",
            "--latency", "--timeout", "10s",
            "-s", script, url.ToString(), "--", bodiesFile, threads.ToString(CultureInfo.InvariantCulture),
        };
        var info = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ForEach(info.ArgumentList.Add);
        using var p = Process.Start(info)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        File.Delete(script);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"wrk failed ({p.ExitCode}): {error}\n{output}");
        return Parse(output);
    }

    public static WrkResult Parse(string output)
    {
        double Num(Regex r, double fallback = double.NaN)
        {
            var m = r.Match(output);
            return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : fallback;
        }
        double Latency(string pct)
        {
            var m = Regex.Match(output, $@"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!m.Success)
                return double.NaN;
            var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
        }
        var errors = SocketErrors().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        return new WrkResult(
            Num(Rps()),
            (long)Num(Total()),
            (long)Num(Non2xx(), 0),
            errors,
            Latency("50"),
            Latency("99"),
            output);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();
}
