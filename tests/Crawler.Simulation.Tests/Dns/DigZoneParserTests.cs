using System.Net;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.Simulation.Tests.Dns;

public sealed class DigZoneParserTests
{
    [Fact]
    public void Parses_records_in_order_maps_addresses_and_reads_the_transfer_size()
    {
        const string text = """

            ; <<>> DiG 9.8.3-P1 <<>> AXFR co.kp. @ns2.kptc.kp
            ;; global options: +cmd
            co.kp.			432000	IN	SOA	ns1.co.kp. root.co.kp. 2013082900 28800 86400 1209600 86400
            ns1.co.kp.		432000	IN	A	175.45.176.15
            co.kp.			432000	IN	SOA	ns1.co.kp. root.co.kp. 2013082900 28800 86400 1209600 86400
            ;; XFR size: 3 records (messages 1, bytes 241)
            """;

        var transfer = DigZoneParser.Parse(text);

        Assert.Equal(3, transfer.DeclaredRecordCount);
        Assert.Equal(3, transfer.Records.Count);
        Assert.Equal(2013082900u, Assert.IsType<SoaRr>(transfer.Records[0]).Serial);
        Assert.Equal(IPAddress.Parse("127.45.176.15"), Assert.IsType<AddressRr>(transfer.Records[1]).Address);
    }

    [Fact]
    public void Quoted_TXT_strings_keep_spaces_and_escaped_quotes()
    {
        var record = DigZoneParser.ParseLine("airkoryo.com.kp. 3600 IN TXT \"vspf1 ipv4:175.45.176.70\" \"say \\\"hi\\\"\" ; comment");

        Assert.Equal(["vspf1 ipv4:175.45.176.70", "say \"hi\""], Assert.IsType<TxtRr>(record).Texts);
    }

    [Fact]
    public void MX_SRV_CNAME_and_PTR_are_understood()
    {
        Assert.Equal("mail.airkoryo.com.kp", Assert.IsType<MxRr>(DigZoneParser.ParseLine("airkoryo.com.kp. 60 IN MX 10 mail.airkoryo.com.kp.")).Exchange);
        Assert.Equal(5060, Assert.IsType<SrvRr>(DigZoneParser.ParseLine("_sip._udp.kp. 60 IN SRV 0 5 5060 sip.kp.")).Port);
        Assert.Equal(RrType.CNAME, DigZoneParser.ParseLine("www.kcna.kp. 60 IN CNAME kcna.kp.")!.Type);
        Assert.Equal(RrType.PTR, DigZoneParser.ParseLine("67.176.45.175.in-addr.arpa. 60 IN PTR naenara.com.kp.")!.Type);
    }

    [Fact]
    public void Unknown_types_and_other_classes_are_skipped_and_counted()
    {
        var transfer = DigZoneParser.Parse("""
            kp. 60 IN HINFO "PC" "Red Star"
            version.bind. 0 CH TXT "9.8"
            kp. 60 IN A not-an-address
            kp. 60 IN NS ns1.kptc.kp.
            """);

        Assert.Single(transfer.Records);
        Assert.Equal(3, transfer.SkippedRecordLines);
    }
}
