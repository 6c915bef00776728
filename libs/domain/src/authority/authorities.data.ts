// Generated from shared/data/provinces-2023.csv and provinces-2025-merger.csv (GSO codes of 10 Apr 2023;
// Resolution 202/2025/QH15 merger, operational from 2025-07-01). Shipped as code so the domain needs no I/O.

export interface Authority2023 {
  /** Official 2-digit GSO code (mã tỉnh). */
  readonly code: string;
  readonly nameVi: string;
  readonly nameEn: string;
  readonly slug: string;
  readonly region: string;
  /** Code of the provincial-level unit it belongs to from 2025-07-01. */
  readonly mergedInto: string;
}

export const AUTHORITIES_2023: readonly Authority2023[] = [
  { code: '01', nameVi: 'Hà Nội', nameEn: 'Ha Noi City', slug: 'ha_noi', region: 'Red River Delta', mergedInto: '01' },
  { code: '02', nameVi: 'Hà Giang', nameEn: 'Ha Giang Province', slug: 'ha_giang', region: 'Northeast', mergedInto: '08' },
  { code: '04', nameVi: 'Cao Bằng', nameEn: 'Cao Bang Province', slug: 'cao_bang', region: 'Northeast', mergedInto: '04' },
  { code: '06', nameVi: 'Bắc Kạn', nameEn: 'Bac Kan Province', slug: 'bac_kan', region: 'Northeast', mergedInto: '19' },
  { code: '08', nameVi: 'Tuyên Quang', nameEn: 'Tuyen Quang Province', slug: 'tuyen_quang', region: 'Northeast', mergedInto: '08' },
  { code: '10', nameVi: 'Lào Cai', nameEn: 'Lao Cai Province', slug: 'lao_cai', region: 'Northwest', mergedInto: '15' },
  { code: '11', nameVi: 'Điện Biên', nameEn: 'Dien Bien Province', slug: 'dien_bien', region: 'Northwest', mergedInto: '11' },
  { code: '12', nameVi: 'Lai Châu', nameEn: 'Lai Chau Province', slug: 'lai_chau', region: 'Northwest', mergedInto: '12' },
  { code: '14', nameVi: 'Sơn La', nameEn: 'Son La Province', slug: 'son_la', region: 'Northwest', mergedInto: '14' },
  { code: '15', nameVi: 'Yên Bái', nameEn: 'Yen Bai Province', slug: 'yen_bai', region: 'Northwest', mergedInto: '15' },
  { code: '17', nameVi: 'Hoà Bình', nameEn: 'Hoa Binh Province', slug: 'hoa_binh', region: 'Northwest', mergedInto: '25' },
  { code: '19', nameVi: 'Thái Nguyên', nameEn: 'Thai Nguyen Province', slug: 'thai_nguyen', region: 'Northeast', mergedInto: '19' },
  { code: '20', nameVi: 'Lạng Sơn', nameEn: 'Lang Son Province', slug: 'lang_son', region: 'Northeast', mergedInto: '20' },
  { code: '22', nameVi: 'Quảng Ninh', nameEn: 'Quang Ninh Province', slug: 'quang_ninh', region: 'Northeast', mergedInto: '22' },
  { code: '24', nameVi: 'Bắc Giang', nameEn: 'Bac Giang Province', slug: 'bac_giang', region: 'Northeast', mergedInto: '24' },
  { code: '25', nameVi: 'Phú Thọ', nameEn: 'Phu Tho Province', slug: 'phu_tho', region: 'Northeast', mergedInto: '25' },
  { code: '26', nameVi: 'Vĩnh Phúc', nameEn: 'Vinh Phuc Province', slug: 'vinh_phuc', region: 'Red River Delta', mergedInto: '25' },
  { code: '27', nameVi: 'Bắc Ninh', nameEn: 'Bac Ninh Province', slug: 'bac_ninh', region: 'Red River Delta', mergedInto: '24' },
  { code: '30', nameVi: 'Hải Dương', nameEn: 'Hai Duong Province', slug: 'hai_duong', region: 'Red River Delta', mergedInto: '31' },
  { code: '31', nameVi: 'Hải Phòng', nameEn: 'Hai Phong City', slug: 'hai_phong', region: 'Red River Delta', mergedInto: '31' },
  { code: '33', nameVi: 'Hưng Yên', nameEn: 'Hung Yen Province', slug: 'hung_yen', region: 'Red River Delta', mergedInto: '33' },
  { code: '34', nameVi: 'Thái Bình', nameEn: 'Thai Binh Province', slug: 'thai_binh', region: 'Red River Delta', mergedInto: '33' },
  { code: '35', nameVi: 'Hà Nam', nameEn: 'Ha Nam Province', slug: 'ha_nam', region: 'Red River Delta', mergedInto: '37' },
  { code: '36', nameVi: 'Nam Định', nameEn: 'Nam Dinh Province', slug: 'nam_dinh', region: 'Red River Delta', mergedInto: '37' },
  { code: '37', nameVi: 'Ninh Bình', nameEn: 'Ninh Binh Province', slug: 'ninh_binh', region: 'Red River Delta', mergedInto: '37' },
  { code: '38', nameVi: 'Thanh Hóa', nameEn: 'Thanh Hoa Province', slug: 'thanh_hoa', region: 'North Central Coast', mergedInto: '38' },
  { code: '40', nameVi: 'Nghệ An', nameEn: 'Nghe An Province', slug: 'nghe_an', region: 'North Central Coast', mergedInto: '40' },
  { code: '42', nameVi: 'Hà Tĩnh', nameEn: 'Ha Tinh Province', slug: 'ha_tinh', region: 'North Central Coast', mergedInto: '42' },
  { code: '44', nameVi: 'Quảng Bình', nameEn: 'Quang Binh Province', slug: 'quang_binh', region: 'North Central Coast', mergedInto: '44' },
  { code: '45', nameVi: 'Quảng Trị', nameEn: 'Quang Tri Province', slug: 'quang_tri', region: 'North Central Coast', mergedInto: '44' },
  { code: '46', nameVi: 'Thừa Thiên Huế', nameEn: 'Thua Thien Hue Province', slug: 'thua_thien_hue', region: 'North Central Coast', mergedInto: '46' },
  { code: '48', nameVi: 'Đà Nẵng', nameEn: 'Da Nang City', slug: 'da_nang', region: 'South Central Coast', mergedInto: '48' },
  { code: '49', nameVi: 'Quảng Nam', nameEn: 'Quang Nam Province', slug: 'quang_nam', region: 'South Central Coast', mergedInto: '48' },
  { code: '51', nameVi: 'Quảng Ngãi', nameEn: 'Quang Ngai Province', slug: 'quang_ngai', region: 'South Central Coast', mergedInto: '51' },
  { code: '52', nameVi: 'Bình Định', nameEn: 'Binh Dinh Province', slug: 'binh_dinh', region: 'South Central Coast', mergedInto: '52' },
  { code: '54', nameVi: 'Phú Yên', nameEn: 'Phu Yen Province', slug: 'phu_yen', region: 'South Central Coast', mergedInto: '66' },
  { code: '56', nameVi: 'Khánh Hòa', nameEn: 'Khanh Hoa Province', slug: 'khanh_hoa', region: 'South Central Coast', mergedInto: '56' },
  { code: '58', nameVi: 'Ninh Thuận', nameEn: 'Ninh Thuan Province', slug: 'ninh_thuan', region: 'South Central Coast', mergedInto: '56' },
  { code: '60', nameVi: 'Bình Thuận', nameEn: 'Binh Thuan Province', slug: 'binh_thuan', region: 'South Central Coast', mergedInto: '68' },
  { code: '62', nameVi: 'Kon Tum', nameEn: 'Kon Tum Province', slug: 'kon_tum', region: 'Central Highlands', mergedInto: '51' },
  { code: '64', nameVi: 'Gia Lai', nameEn: 'Gia Lai Province', slug: 'gia_lai', region: 'Central Highlands', mergedInto: '52' },
  { code: '66', nameVi: 'Đắk Lắk', nameEn: 'Dak Lak Province', slug: 'dak_lak', region: 'Central Highlands', mergedInto: '66' },
  { code: '67', nameVi: 'Đắk Nông', nameEn: 'Dak Nong Province', slug: 'dak_nong', region: 'Central Highlands', mergedInto: '68' },
  { code: '68', nameVi: 'Lâm Đồng', nameEn: 'Lam Dong Province', slug: 'lam_dong', region: 'Central Highlands', mergedInto: '68' },
  { code: '70', nameVi: 'Bình Phước', nameEn: 'Binh Phuoc Province', slug: 'binh_phuoc', region: 'Southeast', mergedInto: '75' },
  { code: '72', nameVi: 'Tây Ninh', nameEn: 'Tay Ninh Province', slug: 'tay_ninh', region: 'Southeast', mergedInto: '80' },
  { code: '74', nameVi: 'Bình Dương', nameEn: 'Binh Duong Province', slug: 'binh_duong', region: 'Southeast', mergedInto: '79' },
  { code: '75', nameVi: 'Đồng Nai', nameEn: 'Dong Nai Province', slug: 'dong_nai', region: 'Southeast', mergedInto: '75' },
  { code: '77', nameVi: 'Bà Rịa - Vũng Tàu', nameEn: 'Ba Ria - Vung Tau Province', slug: 'ba_ria_vung_tau', region: 'Southeast', mergedInto: '79' },
  { code: '79', nameVi: 'Hồ Chí Minh', nameEn: 'Ho Chi Minh City', slug: 'ho_chi_minh', region: 'Southeast', mergedInto: '79' },
  { code: '80', nameVi: 'Long An', nameEn: 'Long An Province', slug: 'long_an', region: 'Mekong River Delta', mergedInto: '80' },
  { code: '82', nameVi: 'Tiền Giang', nameEn: 'Tien Giang Province', slug: 'tien_giang', region: 'Mekong River Delta', mergedInto: '82' },
  { code: '83', nameVi: 'Bến Tre', nameEn: 'Ben Tre Province', slug: 'ben_tre', region: 'Mekong River Delta', mergedInto: '86' },
  { code: '84', nameVi: 'Trà Vinh', nameEn: 'Tra Vinh Province', slug: 'tra_vinh', region: 'Mekong River Delta', mergedInto: '86' },
  { code: '86', nameVi: 'Vĩnh Long', nameEn: 'Vinh Long Province', slug: 'vinh_long', region: 'Mekong River Delta', mergedInto: '86' },
  { code: '87', nameVi: 'Đồng Tháp', nameEn: 'Dong Thap Province', slug: 'dong_thap', region: 'Mekong River Delta', mergedInto: '82' },
  { code: '89', nameVi: 'An Giang', nameEn: 'An Giang Province', slug: 'an_giang', region: 'Mekong River Delta', mergedInto: '91' },
  { code: '91', nameVi: 'Kiên Giang', nameEn: 'Kien Giang Province', slug: 'kien_giang', region: 'Mekong River Delta', mergedInto: '91' },
  { code: '92', nameVi: 'Cần Thơ', nameEn: 'Can Tho City', slug: 'can_tho', region: 'Mekong River Delta', mergedInto: '92' },
  { code: '93', nameVi: 'Hậu Giang', nameEn: 'Hau Giang Province', slug: 'hau_giang', region: 'Mekong River Delta', mergedInto: '92' },
  { code: '94', nameVi: 'Sóc Trăng', nameEn: 'Soc Trang Province', slug: 'soc_trang', region: 'Mekong River Delta', mergedInto: '92' },
  { code: '95', nameVi: 'Bạc Liêu', nameEn: 'Bac Lieu Province', slug: 'bac_lieu', region: 'Mekong River Delta', mergedInto: '96' },
  { code: '96', nameVi: 'Cà Mau', nameEn: 'Ca Mau Province', slug: 'ca_mau', region: 'Mekong River Delta', mergedInto: '96' },
];

/** The date from which the 34 merged units operate (Resolution 202/2025/QH15). */
export const MERGER_2025_EFFECTIVE_DATE = '2025-07-01';
