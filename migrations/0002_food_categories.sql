-- The food-category table of BPOM 3/2018 Annex I: maximum absorbed dose per (category, purpose).
-- Kept as editable data with its source; rows not read from the annex itself are confirmed = false.

CREATE TABLE food_categories (
    code     text PRIMARY KEY,
    name_id  text NOT NULL,
    name_en  text NOT NULL
);

CREATE TABLE food_category_purposes (
    category      text NOT NULL REFERENCES food_categories (code),
    purpose       text NOT NULL CHECK (purpose IN (
                      'sprout_inhibition', 'delay_ripening', 'disinfestation', 'quarantine',
                      'extend_shelf_life', 'reduce_pathogens', 'reduce_microbial_load',
                      'control_parasites', 'eliminate_salmonella', 'sterilisation')),
    max_dose_kgy  double precision NOT NULL CHECK (max_dose_kgy > 0),
    source        text NOT NULL,
    confirmed     boolean NOT NULL,
    PRIMARY KEY (category, purpose)
);

INSERT INTO food_categories (code, name_id, name_en) VALUES
    ('bulbs_tubers', 'Umbi lapis, umbi akar dan umbi batang (bawang, bawang putih, kentang, jahe)',
        'Bulbs, root and tuber crops (onion, garlic, potato, ginger)'),
    ('fresh_produce', 'Sayur dan buah segar', 'Fresh vegetables and fruit'),
    ('processed_produce', 'Sayur dan buah olahan, termasuk semi basah',
        'Processed vegetables and fruit, incl. semi-moist'),
    ('mango', 'Mangga', 'Mango'),
    ('mangosteen', 'Manggis', 'Mangosteen'),
    ('dry_goods', 'Serealia dan hasil gilingannya, kacang-kacangan, biji berminyak, polong, buah kering',
        'Cereals and milled products, nuts, oilseeds, pulses, dried fruit'),
    ('fish_seafood', 'Ikan dan hasil laut, segar atau beku', 'Fish and seafood, fresh or frozen'),
    ('processed_fish', 'Produk olahan ikan dan hasil laut', 'Processed fish and seafood products'),
    ('meat_poultry', 'Daging, unggas dan produknya, segar atau beku',
        'Meat, poultry and their products, fresh or frozen'),
    ('spices_herbs', 'Sayuran kering, rempah, herba kering, teh herbal',
        'Dried vegetables, spices, dried herbs, herbal tea'),
    ('ready_meal_sterile', 'Pangan siap saji steril (rendang, pepes, opor …)',
        'Shelf-stable ready meals (rendang, pepes, opor …)');

INSERT INTO food_category_purposes (category, purpose, max_dose_kgy, source, confirmed) VALUES
    ('bulbs_tubers', 'sprout_inhibition', 0.15, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fresh_produce', 'delay_ripening', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fresh_produce', 'disinfestation', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fresh_produce', 'extend_shelf_life', 2.5, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fresh_produce', 'quarantine', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('processed_produce', 'extend_shelf_life', 7.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('mango', 'extend_shelf_life', 0.75, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('mangosteen', 'disinfestation', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('mangosteen', 'quarantine', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('dry_goods', 'disinfestation', 1.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('dry_goods', 'reduce_microbial_load', 5.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fish_seafood', 'reduce_pathogens', 5.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fish_seafood', 'extend_shelf_life', 3.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('fish_seafood', 'control_parasites', 2.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('processed_fish', 'reduce_pathogens', 8.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('processed_fish', 'extend_shelf_life', 10.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('meat_poultry', 'reduce_pathogens', 7.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('meat_poultry', 'extend_shelf_life', 3.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('meat_poultry', 'control_parasites', 2.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('meat_poultry', 'eliminate_salmonella', 7.0, 'Peraturan BPOM No. 3 Tahun 2018, Lampiran I', true),
    ('spices_herbs', 'reduce_microbial_load', 10.0,
        'Unconfirmed: Codex CXS 106-1983 Rev.1-2003 general maximum', false),
    ('spices_herbs', 'disinfestation', 1.0, 'Unconfirmed: secondary summary of BPOM 3/2018', false),
    ('ready_meal_sterile', 'sterilisation', 60.0,
        'Unconfirmed: national high-dose ceiling per a BAPETEN summary; SNI 8352:2017 says 65', false);
