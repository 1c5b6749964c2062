using CsCheck;

namespace Crawler.Storage.Tests.Codec;

public sealed class SiteDictionariesTests
{
    private static SiteDictionaries Trained(string scope, string host, int samples = 16)
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: samples);
        for (var i = 0; i < samples; i++)
        {
            dictionaries.Encode(scope, SitePages.Page(host, i));
        }

        return dictionaries;
    }

    [Fact]
    public void Records_before_a_scope_has_its_samples_are_brotli_and_decode_without_a_dictionary()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        var page = SitePages.Page("a.kp", 1);

        var encoded = dictionaries.Encode("payload a.kp", page);

        Assert.Equal(PayloadCodec.Brotli, encoded.Compression);
        Assert.Null(encoded.Dictionary);
        Assert.Null(dictionaries.DictionaryOf("payload a.kp"));
        Assert.Equal(page, PayloadCodec.Decode(encoded.Compression, page.Length, encoded.Data));
    }

    [Fact]
    public void Once_trained_a_site_s_pages_are_zstd_with_its_dictionary_smaller_than_brotli_and_decode_with_it()
    {
        var dictionaries = Trained("payload a.kp", "a.kp");
        var page = SitePages.Page("a.kp", 500);

        var encoded = dictionaries.Encode("payload a.kp", page);

        Assert.Equal(PayloadCodec.Zstd, encoded.Compression);
        Assert.Same(dictionaries.DictionaryOf("payload a.kp"), encoded.Dictionary);
        Assert.True(encoded.Data.Length < PayloadCodec.Encode(page).Data.Length * 0.7,
            $"zstd with the site's dictionary stores {encoded.Data.Length} bytes, Brotli q1 {PayloadCodec.Encode(page).Data.Length}");
        Assert.Equal(page, PayloadCodec.Decode(encoded.Compression, page.Length, encoded.Data, encoded.Dictionary!.Data));
    }

    [Fact]
    public void Records_of_two_sites_decode_in_any_order_with_kept_decompressors_and_a_bad_record_spoils_none_after_it()
    {
        var a = Trained("payload a.kp", "a.kp");
        var b = Trained("payload b.kp", "b.kp");
        var records = Enumerable.Range(100, 40)
            .Select(i => (Page: SitePages.Page(i % 2 == 0 ? "a.kp" : "b.kp", i), Dictionaries: i % 2 == 0 ? a : b, Scope: i % 2 == 0 ? "payload a.kp" : "payload b.kp"))
            .Select(r => (r.Page, Encoded: r.Dictionaries.Encode(r.Scope, r.Page)))
            .ToList();

        foreach (var (page, encoded) in records)
        {
            Assert.Equal(page, PayloadCodec.Decode(encoded.Compression, page.Length, encoded.Data, encoded.Dictionary!.Data));
            var corrupt = encoded.Data.ToArray();
            corrupt[^3] ^= 0xFF;
            Assert.ThrowsAny<Exception>(() => PayloadCodec.Decode(encoded.Compression, page.Length, corrupt, encoded.Dictionary.Data));
            Assert.Equal(page, PayloadCodec.Decode(encoded.Compression, page.Length, encoded.Data, encoded.Dictionary.Data));
        }
    }

    [Fact]
    public void A_dictionary_is_content_addressed_and_belongs_to_its_scope_only()
    {
        var dictionaries = Trained("payload a.kp", "a.kp");
        var dictionary = dictionaries.DictionaryOf("payload a.kp")!;

        Assert.Equal(CompressionDictionary.Create("payload a.kp", dictionary.Data).Digest, dictionary.Digest);
        Assert.Null(dictionaries.DictionaryOf("payload b.kp"));
        Assert.Equal(PayloadCodec.Brotli, dictionaries.Encode("payload b.kp", SitePages.Page("b.kp", 1)).Compression);
    }

    [Fact]
    public void Incompressible_records_are_stored_as_they_are_and_never_train_a_dictionary()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 8);
        var random = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            var noise = new byte[3000];
            random.NextBytes(noise);
            var encoded = dictionaries.Encode("payload a.kp", noise);
            Assert.Equal((PayloadCodec.None, noise), (encoded.Compression, encoded.Data));
        }

        Assert.Null(dictionaries.DictionaryOf("payload a.kp"));
    }

    [Fact]
    public void A_dictionary_loaded_from_a_store_is_used_by_a_new_writer_for_its_scope()
    {
        var stored = Trained("payload a.kp", "a.kp").DictionaryOf("payload a.kp")!;
        var restarted = new SiteDictionaries(samplesToTrain: 16);

        restarted.Use(stored);
        var encoded = restarted.Encode("payload a.kp", SitePages.Page("a.kp", 700));

        Assert.Equal((PayloadCodec.Zstd, stored), (encoded.Compression, encoded.Dictionary));
    }

    [Fact]
    public void A_dictionary_record_decoded_without_its_dictionary_is_a_clear_error()
    {
        var dictionaries = Trained("payload a.kp", "a.kp");
        var page = SitePages.Page("a.kp", 900);
        var encoded = dictionaries.Encode("payload a.kp", page);

        var error = Assert.Throws<InvalidDataException>(() => PayloadCodec.Decode(encoded.Compression, page.Length, encoded.Data));
        Assert.Contains("no dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_samples_stored_before_training_are_encoded_again_with_the_dictionary_once_each()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        var brotli = new Dictionary<string, int>();
        for (var i = 0; i < 15; i++)
        {
            brotli[$"page {i}"] = dictionaries.Encode("payload a.kp", SitePages.Page("a.kp", i), $"page {i}").Data.Length;
            Assert.Empty(dictionaries.TakeRecoded());
        }

        dictionaries.Encode("payload a.kp", SitePages.Page("a.kp", 15)); // the sample that trains, without a key
        var recoded = dictionaries.TakeRecoded();

        Assert.Equal(brotli.Keys.Order(), recoded.Select(r => r.Key).Order());
        foreach (var r in recoded)
        {
            var page = SitePages.Page("a.kp", int.Parse(r.Key[5..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal((PayloadCodec.Zstd, dictionaries.DictionaryOf("payload a.kp"), page.Length), (r.Record.Compression, r.Record.Dictionary, r.RawLength));
            Assert.True(r.Record.Data.Length < brotli[r.Key], $"{r.Key}: zstd {r.Record.Data.Length} bytes, Brotli {brotli[r.Key]}");
            Assert.Equal(page, PayloadCodec.Decode(r.Record.Compression, page.Length, r.Record.Data, r.Record.Dictionary!.Data));
        }

        Assert.Empty(dictionaries.TakeRecoded());
    }

    [Fact]
    public void A_sample_too_large_to_keep_whole_trains_the_dictionary_but_is_not_encoded_again()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        var large = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 4000).Select(i => $"<p>article {i} of a.kp</p>\n")));
        Assert.True(large.Length > SiteDictionaries.MaxRecodeBytes);

        dictionaries.Encode("payload a.kp", large, "large");
        for (var i = 1; i < 16; i++)
        {
            dictionaries.Encode("payload a.kp", SitePages.Page("a.kp", i), $"page {i}");
        }

        Assert.NotNull(dictionaries.DictionaryOf("payload a.kp"));
        Assert.DoesNotContain("large", dictionaries.TakeRecoded().Select(r => r.Key));
    }

    [Fact]
    public void A_dictionary_is_stored_in_a_fraction_of_its_size_and_read_back_whole()
    {
        var dictionary = Trained("payload a.kp", "a.kp").DictionaryOf("payload a.kp")!;

        var stored = dictionary.StoredData();

        Assert.True(stored.Length < dictionary.Data.Length / 2, $"{stored.Length} of {dictionary.Data.Length} bytes");
        Assert.Equal(dictionary.Data, CompressionDictionary.DataFromStored(CompressionDictionary.StoredCompression, stored));
        Assert.Equal(dictionary.Data, CompressionDictionary.DataFromStored(null, dictionary.Data)); // as schema 4 stored it
        Assert.Throws<InvalidDataException>(() => CompressionDictionary.DataFromStored("lzma", stored));
    }

    [Fact]
    public void An_unknown_codec_name_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => PayloadCodec.Decode("lzma", 3, [1, 2, 3]));
        Assert.Contains("lzma", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_bytes_round_trip_through_a_trained_scope_and_an_untrained_one()
    {
        var trained = Trained("payload a.kp", "a.kp");
        var fresh = new SiteDictionaries(samplesToTrain: 1000);
        Gen.Byte.Array[0, 5000].Sample(raw =>
        {
            foreach (var (dictionaries, scope) in new[] { (trained, "payload a.kp"), (fresh, "payload b.kp") })
            {
                var encoded = dictionaries.Encode(scope, raw);
                var back = PayloadCodec.Decode(encoded.Compression, raw.Length, encoded.Data, encoded.Dictionary?.Data);
                if (!back.AsSpan().SequenceEqual(raw))
                {
                    return false;
                }
            }

            return true;
        }, threads: 1); // one writer, as in the stores: SiteDictionaries is not thread-safe (CsCheck samples on every core by default)
    }
}
